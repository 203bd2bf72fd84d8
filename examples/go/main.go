// A program that says which platform it was built for: the output of a multi-arch build is
// easy to check by running each image's binary (natively, or under qemu-<arch>-static).
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func main() {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "GOARM" && runtime.GOARCH == "arm" {
				platform += "/v" + s.Value
			}
		}
	}
	fmt.Printf("hello from %s\n", platform)
}
