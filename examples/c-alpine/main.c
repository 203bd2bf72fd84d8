/* Prints the platform this binary was compiled for, from the compiler's predefined macros. */
#include <stdio.h>

static const char *platform(void) {
#if defined(__x86_64__)
	return "linux/amd64";
#elif defined(__aarch64__)
	return "linux/arm64";
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7
	return "linux/arm/v7";
#elif defined(__arm__)
	return "linux/arm/v6";
#elif defined(__riscv) && __riscv_xlen == 64
	return "linux/riscv64";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return "linux/ppc64le";
#elif defined(__s390x__)
	return "linux/s390x";
#elif defined(__i386__)
	return "linux/386";
#else
	return "unknown";
#endif
}

int main(void) {
	printf("hello from %s\n", platform());
	return 0;
}
