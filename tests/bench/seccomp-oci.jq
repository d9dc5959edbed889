# The profile mini-docker applies by default, as an OCI config's
# linux.seccomp: containers-common's rules for Docker's 14 capabilities on
# this arch, with Docker's rules (08-mini-docker/seccomp_profile.c) on top.
def caps: ["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW",
  "CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT",
  "CAP_KILL","CAP_AUDIT_WRITE"];
def docker: ["keyctl","add_key","request_key","unshare","setns","mount","umount","umount2",
  "pivot_root","fsopen","fsconfig","fsmount","fspick","move_mount","open_tree","mount_setattr",
  "clone3","clone"];
def applies: ((.includes.caps // []) - caps | length == 0)
  and ((.includes.arches // []) | length == 0 or index(["amd64"]) != null)
  and ((.excludes.caps // []) - ((.excludes.caps // []) - caps) | length == 0)
  and ((.excludes.arches // []) | index(["amd64"]) == null);
$p[0] as $prof
| .linux.seccomp = {
    defaultAction: $prof.defaultAction, defaultErrnoRet: 1,
    architectures: [$prof.archMap[] | select(.architecture == "SCMP_ARCH_X86_64")
                    | .architecture, .subArchitectures[]],
    syscalls: ([$prof.syscalls[] | select(applies)
               | {names: (.names - docker), action, errnoRet, args}
               | with_entries(select(.value != null)) | select(.names | length > 0)]
      + [{names: (docker - ["clone3","clone"]), action: "SCMP_ACT_ERRNO", errnoRet: 1},
         {names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38},
         {names: ["clone"], action: "SCMP_ACT_ALLOW",
          args: [{index: 0, value: 2114060288, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ"}]}])
  }
