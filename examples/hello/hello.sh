#!/bin/sh
# Prints the message the build stage wrote, who runs it, and on which CPU.
cat /etc/motd
echo "running as $(id -un) (uid $(id -u)) on $(uname -m), in $(pwd)"
