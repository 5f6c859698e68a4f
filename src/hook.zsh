# logbook: record the commands of this interactive zsh (logbook hook zsh).
#
# Nothing here starts a process per command: preexec receives the line
# exactly as typed and notes the time (zsh/datetime), precmd appends one
# record to this session's spool with printf.  Processes start only here
# at load (logbook hook) and at exit (logbook hook exit).  A line typed
# with a leading space is never written anywhere; commands run while
# LOGBOOK_OFF=1 is set are not recorded.  The functions run on every
# command: they are kept to a few builtins (bench/hook measures them).
if [[ -n ${__lb_spool-} ]]; then
	# loaded twice in one shell (system and user rc files): keep the first
	command rm -f -- "$__lb_new_spool" "$__lb_new_last" 2>/dev/null
else
	typeset -g __lb_spool=$__lb_new_spool __lb_session=$__lb_new_session
	typeset -g __lb_bin=$__lb_new_bin __lb_dir=$__lb_new_dir
	export LOGBOOK_SESSION=$__lb_session
	typeset -g __lb_n=0 __lb_cmd= __lb_t0= __lb_fail= __lb_warned= __lb_nl=$'\n'

	if zmodload zsh/datetime 2>/dev/null; then
		# microseconds: the seconds and the first six digits of the fraction
		__lb_preexec() {
			__lb_cmd=$1
			__lb_t0=${EPOCHREALTIME%.*}${${EPOCHREALTIME#*.}:0:6}
		}
		__lb_now() {
			REPLY=${EPOCHREALTIME%.*}${${EPOCHREALTIME#*.}:0:6}
		}
	else
		__lb_preexec() {
			__lb_cmd=$1
		}
		__lb_now() {
			REPLY=
		}
	fi

	__lb_failed() {
		__lb_fail=1
		if [[ -z $__lb_warned ]]; then
			__lb_warned=1
			print -ru2 -- "logbook: cannot write $__lb_spool: commands of this shell are not recorded"
		fi
	}

	# the command as fc -ln prints a history line ("\t " line "\n"): see spool.h
	if zmodload zsh/system 2>/dev/null && typeset -g __lb_fd= &&
		sysopen -a -w -o cloexec -u __lb_fd $__lb_spool 2>/dev/null; then
		# one descriptor for the whole session, closed for the commands the
		# shell runs: a write per command and no open
		__lb_append() {
			# (a spool removed under the shell would swallow the commands unseen)
			[[ -e $__lb_spool ]] && syswrite -o $__lb_fd "${__lb_fail:+$__lb_nl}$1" 2>/dev/null
		}
	else
		__lb_append() {
			[[ -e $__lb_spool ]] && print -rn -- "${__lb_fail:+$__lb_nl}$1" 2>/dev/null >>$__lb_spool
		}
	fi

	__lb_precmd() {
		local st=$?
		if [[ -n $__lb_cmd ]]; then
			if [[ $__lb_cmd != ' '* && ${LOGBOOK_OFF-} != 1 ]]; then
				(( ++__lb_n ))
				if __lb_append "C"$'\0'$__lb_n$'\0'$__lb_t0$'\0'${EPOCHREALTIME%.*}${${EPOCHREALTIME#*.}:0:6}$'\0'$st$'\0'$PWD$'\0\t '$__lb_cmd$'\n\0\n'; then
					__lb_fail=
				else
					__lb_failed
				fi
			fi
			__lb_cmd=
		fi
		return st
	}

	__lb_exit() {
		local st=$? REPLY
		# zshexit runs in subshells too: only the shell itself ends its session
		(( ${ZSH_SUBSHELL:-0} == 0 )) || return st
		__lb_precmd
		__lb_now
		__lb_append "X"$'\0'$REPLY$'\0'$__lb_n$'\0\n'
		"$__lb_bin" -C "$__lb_dir" hook exit "$__lb_session" 2>&1 </dev/null
		return st
	}

	typeset -ga preexec_functions precmd_functions zshexit_functions
	preexec_functions=(__lb_preexec ${preexec_functions:#__lb_preexec})
	# first, to see each command's status
	precmd_functions=(__lb_precmd ${precmd_functions:#__lb_precmd})
	zshexit_functions+=(__lb_exit)
	__lb_append "P"$'\0'$$$'\0\n' || __lb_failed
fi
unset __lb_new_spool __lb_new_last __lb_new_session __lb_new_bin __lb_new_dir
