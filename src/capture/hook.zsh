# logbook: record the commands of this interactive zsh (logbook hook zsh).
#
# Nothing here starts a process per command: preexec receives the line
# exactly as typed and notes the time (zsh/datetime), precmd appends one
# record to this session's spool.  Processes start only here at load
# (logbook hook) and at exit (logbook hook exit).  A line typed with a
# leading space is never written anywhere; commands run while
# LOGBOOK_OFF=1 is set are not recorded.
#
# Both functions run for every command, and zsh pays much for each
# function call (a heap of its own, mapped and unmapped) and each access
# to $EPOCHREALTIME: they are kept to a few builtins, with the write
# inline (bench/hook measures them).
#
# Where logbook_zsh.so is installed (and safe to load: logbook hook
# checks that only root or this account can change it), the module
# logbook_zsh (src/zsh/record.c) does the usual case of __lb_precmd in
# C, run by zsh before each prompt (after the precmd functions) with no
# function call: one write through a descriptor it keeps open
# close-on-exec; it runs __lb_precmd for everything else.  Without it,
# or with LOGBOOK_ZSH_MODULE=no, __lb_precmd runs first among the precmd
# functions and does it all: the spool gets the same bytes either way.
# (A precmd function of the user's that fails stops zsh before the
# module's turn: __lb_preexec then records the command left over, ended
# when the next one starts.  One that changes directory makes the
# record's directory the new one.)
#
# The spool lives in this account's own directory (.state/spool/<uid>,
# 0700), made by logbook hook with the spool in it.  Others in the
# journal's group may be able to move that directory away and put theirs
# (or a symlink) in its place: the spool is opened once, when the
# directory is checked to be this account's (-O) and not a symlink (-L),
# and written through that descriptor; without zsh/system every write
# checks the directory first.  When it is not this account's, nothing is
# written, and the shell says so once.
if [[ -n ${__lb_spool-} ]]; then
	# loaded twice in one shell (system and user rc files): keep the first
	command rm -f -- "$__lb_new_spool" "$__lb_new_last" 2>/dev/null
elif ! zmodload zsh/datetime 2>/dev/null; then
	print -ru2 -- "logbook: zsh/datetime is missing: commands of this shell are not recorded"
	command rm -f -- "$__lb_new_spool" "$__lb_new_last" 2>/dev/null
else
	typeset -g __lb_sdir=$__lb_new_sdir __lb_spool=$__lb_new_spool __lb_session=$__lb_new_session
	typeset -g __lb_bin=$__lb_new_bin __lb_dir=$__lb_new_dir
	export LOGBOOK_SESSION=$__lb_session
	typeset -g __lb_n=0 __lb_cmd= __lb_fail= __lb_warned= __lb_nl=$'\n' __lb_fd= __lb_mod=
	typeset -gi __lb_t0=0 __lb_st=0

	__lb_failed() {
		__lb_fail=1
		if [[ -z $__lb_warned ]]; then
			__lb_warned=1
			# (gone, as after an rm -rf, is not taken over)
			if [[ -O $__lb_sdir && ! -L $__lb_sdir ]] || [[ ! -e $__lb_sdir && ! -L $__lb_sdir ]]; then
				print -ru2 -- "logbook: cannot write $__lb_spool: commands of this shell are not recorded"
			else
				print -ru2 -- "logbook: $__lb_sdir is not this account's own directory: commands of this shell are not recorded"
			fi
		fi
	}

	__lb_preexec() {
		__lb_st=$?
		[[ -z $__lb_cmd ]] || { __lb_status $__lb_st; __lb_precmd }
		__lb_cmd=$1
		(( __lb_t0 = EPOCHREALTIME * 1000000 ))
	}

	# One descriptor for the whole session when zsh/system is there (closed
	# for the commands the shell runs): a record costs one write, no open.
	# (A spool removed under the shell would swallow the commands unseen:
	# hence the -e test.)  The command is written as fc -ln prints a
	# history line, "\t " line "\n" (see spool.h).
	if zmodload zsh/system 2>/dev/null && [[ -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]] &&
		sysopen -a -w -o cloexec -u __lb_fd $__lb_spool 2>/dev/null; then
		# (syswrite says nothing when it fails, its status does: no 2>/dev/null,
		# which would cost a dup and an open per command; and the status and
		# end time in globals, cheaper than locals)
		typeset -gi __lb_now
		__lb_append() {
			[[ -e $__lb_spool ]] && syswrite -o $__lb_fd "${__lb_fail:+$__lb_nl}$1"
		}
		__lb_precmd() {
			__lb_st=$?
			if [[ -n $__lb_cmd ]]; then
				if [[ $__lb_cmd != ' '* && ${LOGBOOK_OFF-} != 1 ]]; then
					(( __lb_now = EPOCHREALTIME * 1000000 ))
					if [[ -e $__lb_spool ]] && syswrite -o $__lb_fd "${__lb_fail:+$__lb_nl}C"$'\0'$((++__lb_n))$'\0'$__lb_t0$'\0'$__lb_now$'\0'$__lb_st$'\0'$PWD$'\0\t '$__lb_cmd$'\n\0\n'; then
						__lb_fail=
					else
						__lb_failed
					fi
				fi
				__lb_cmd=
			fi
			return __lb_st
		}
	else
		__lb_append() {
			[[ -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]] &&
				print -rn -- "${__lb_fail:+$__lb_nl}$1" 2>/dev/null >>$__lb_spool
		}
		__lb_precmd() {
			local -i st=$? now
			if [[ -n $__lb_cmd ]]; then
				if [[ $__lb_cmd != ' '* && ${LOGBOOK_OFF-} != 1 ]]; then
					(( now = EPOCHREALTIME * 1000000 ))
					if __lb_append "C"$'\0'$((++__lb_n))$'\0'$__lb_t0$'\0'$now$'\0'$st$'\0'$PWD$'\0\t '$__lb_cmd$'\n\0\n'; then
						__lb_fail=
					else
						__lb_failed
					fi
				fi
				__lb_cmd=
			fi
			return st
		}
	fi

	__lb_status() {
		return $1
	}

	__lb_exit() {
		local st=$?
		local -i now
		# zshexit runs in subshells too: only the shell itself ends its session
		(( ${ZSH_SUBSHELL:-0} == 0 )) || return st
		# the last line, typed before exit, had no prompt to be recorded at
		__lb_status $st
		__lb_precmd
		(( now = EPOCHREALTIME * 1000000 ))
		__lb_append "X"$'\0'$now$'\0'$__lb_n$'\0\n'
		"$__lb_bin" -C "$__lb_dir" hook exit "$__lb_session" 2>&1 </dev/null
		return st
	}

	# the module, from the one directory logbook hook checked (module_path
	# for zmodload alone)
	if [[ -n $__lb_new_so && ${LOGBOOK_ZSH_MODULE-} != no ]]; then
		typeset -ga __lb_mpath
		__lb_mpath=("${module_path[@]}")
		module_path=("${__lb_new_so%/*}")
		zmodload logbook_zsh 2>/dev/null && __lb_mod=1
		module_path=("${__lb_mpath[@]}")
		unset __lb_mpath
	fi

	typeset -ga preexec_functions precmd_functions zshexit_functions
	preexec_functions=(__lb_preexec ${preexec_functions:#__lb_preexec})
	if [[ -n $__lb_mod ]]; then
		precmd_functions=(${precmd_functions:#__lb_precmd})
	else
		# first, to see each command's status
		precmd_functions=(__lb_precmd ${precmd_functions:#__lb_precmd})
	fi
	zshexit_functions+=(__lb_exit)
	__lb_append "P"$'\0'$$$'\0\n' || __lb_failed
fi
unset __lb_new_sdir __lb_new_spool __lb_new_last __lb_new_session __lb_new_bin __lb_new_dir __lb_new_so
