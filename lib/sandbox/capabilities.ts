// What a RUN may do as root: Docker's (and so BuildKit's) default capability set, and the parts of
// /proc and /sys a container runtime hides or makes read-only. Without these, root in a RUN could
// mount the host's disk, load kernel modules or write /proc/sys/kernel/core_pattern, which a
// kernel runs as the host's root.

/** Docker's default capabilities (moby `oci/caps/defaults.go`): `CapBnd` 0xa80425fb in a RUN. */
export const DEFAULT_CAPABILITIES = [
  'chown',
  'dac_override',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'net_bind_service',
  'net_raw',
  'sys_chroot',
  'mknod',
  'audit_write',
  'setfcap',
] as const;

/**
 * `dropCapabilitiesArgs` are setpriv's arguments that leave a process Docker's default bounding
 * set and nothing inheritable (moby 23+ clears the inheritable set, CVE-2022-24769). A root
 * process keeps exactly those after exec; any other uid gets none, as in Docker.
 */
export function dropCapabilitiesArgs(): string[] {
  return [`--bounding-set=-all,${DEFAULT_CAPABILITIES.map((c) => `+${c}`).join(',')}`, '--inh-caps=-all'];
}

/** Paths of /proc a runtime makes read-only (runc's default `readonlyPaths`). */
export const READONLY_PROC_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

/** Paths a runtime masks: files get /dev/null over them, directories an empty read-only tmpfs (runc's `maskedPaths`). */
export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
] as const;
