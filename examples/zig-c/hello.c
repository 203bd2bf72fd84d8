/* Prints the machine the binary runs on (uname) next to the target zig compiled it for, so a
 * wrong-architecture image shows up at once when run under qemu-<arch>-static. */
#include <stdio.h>
#include <sys/utsname.h>

#ifndef TARGET
#define TARGET "unknown target"
#endif

int main(void) {
	struct utsname u;
	if (uname(&u) != 0) return 1;
	printf("built for %s, running on %s\n", TARGET, u.machine);
	return 0;
}
