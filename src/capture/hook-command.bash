# logbook: record the one command sshd gave this bash (logbook hook --command bash).
#
# For "ssh HOST CMD" sshd runs the account's shell as "bash -c CMD";
# Debian's bash then reads /etc/bash.bashrc, whose logbook block (above
# the file's "[ -z "$PS1" ] && return") loads this code only in the top
# shell of an ssh connection (SSH_CONNECTION set, SHLVL 1) running a -c
# string.  scp, sftp, rsync and git over ssh come the same way: their
# server program is the command, one record per transfer.
#
# The command is $BASH_EXECUTION_STRING, exactly as the client sent it:
# appended to this session's spool when the shell starts (a B record,
# spool.h), and again with its status and end time by the EXIT trap (C),
# which then closes the session (logbook hook exit), as the interactive
# hook does.  The trap also keeps bash from replacing itself with the
# command's program (its exec of a lone simple command), so the trap
# runs; a command that execs itself, or sets an EXIT trap of its own,
# ends the shell without the C: ingestion then records the B alone,
# without status, and closes the session as lost.
#
# Nothing here ever prints, on stdout or stderr: scp, sftp and rsync
# speak their protocol there.  The command's status is the shell's: the
# trap returns without exit.  The spool checks are those of hook.bash
# (this account's own directory, not a symlink); the shell never creates
# a file.  A command with a leading space reaches the spool and is
# dropped by ingest, as an interactive one is.
if [[ -z ${__lb_spool-} ]]; then
	__lb_sdir=$__lb_new_sdir __lb_spool=$__lb_new_spool __lb_session=$__lb_new_session
	__lb_bin=$__lb_new_bin __lb_dir=$__lb_new_dir
	export LOGBOOK_SESSION=$__lb_session
	__lb_t0=${EPOCHREALTIME/[.,]/}

	__lb_exit() {
		local st=$? end=${EPOCHREALTIME/[.,]/}
		[[ -z ${__lb_exiting-} ]] || return $st
		__lb_exiting=1
		if [[ ${LOGBOOK_OFF-} != 1 && -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]]; then
			# the command as fc -ln would print it ("\t " line "\n"), as the spool wants
			printf 'C\0%s\0%s\0%s\0%s\0%s\0\t %s\n\0\nX\0%s\0%s\0\n' 1 "$__lb_t0" "$end" $st "$PWD" \
				"$BASH_EXECUTION_STRING" "$end" 1 >>"$__lb_spool"
		fi 2>/dev/null
		"$__lb_bin" -C "$__lb_dir" hook exit "$__lb_session" </dev/null >/dev/null 2>&1
		return $st
	}

	# the command begun (B): recorded alone if the shell never gets to say how it ended
	if [[ -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]]; then
		printf 'P\0%s\0\n' "$$"
		[[ ${LOGBOOK_OFF-} == 1 ]] || printf 'B\0%s\0%s\0%s\0\t %s\n\0\n' 1 "$__lb_t0" "$PWD" "$BASH_EXECUTION_STRING"
	fi 2>/dev/null >>"$__lb_spool"
	trap __lb_exit EXIT
fi
unset __lb_new_sdir __lb_new_spool __lb_new_last __lb_new_session __lb_new_bin __lb_new_dir __lb_new_so
