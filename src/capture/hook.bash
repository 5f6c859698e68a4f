# logbook: record the commands of this interactive bash (logbook hook bash).
#
# Nothing here starts a process per command.  PS0, expanded when a command
# line has been read, notes its command number, history number and start
# time in an array subscript; PROMPT_COMMAND then appends one record to
# this session's spool: printf, and the line as fc prints it from the
# history.  Processes start only here at load (logbook hook) and at exit
# (logbook hook exit).
#
# The line as typed comes from the history, so every line must enter it:
# the hook keeps HISTCONTROL's ignorespace/ignoredups and HISTIGNORE away
# from bash and applies them to the history itself, and sets lithist so a
# multi-line command keeps its newlines.  A line typed with a leading
# space never reaches the journal: the hot path copies the line from fc to
# the spool without looking at it (looking costs a scratch file and a read
# per command), so it sits in this session's own spool until ingest drops
# it.  LOGBOOK_OFF=1 pauses recording.
#
# The spool and the scratch file live in this account's own directory
# (.state/spool/<uid>, 0700), where logbook hook made them.  Others in the
# journal's group may be able to move that directory away and put one of
# theirs (or a symlink) in its place, so every write first checks with
# builtins that the directory is still this account's (-O) and not a
# symlink (-L); when it is not, nothing is written, ever, and the shell
# says so once.  (-O on something else than a directory cannot pass: no
# one else can make a file this account owns.)  The shell never creates
# these files: a missing one means nothing is recorded.
#
# Where logbook-bash.so is installed (and safe to load: logbook hook
# checks that only root or this account can change it), the builtin
# __lb_record (src/bash/record.c) does the usual case of __lb_precmd in
# C: one write through a descriptor it keeps open close-on-exec, the
# line taken from the history as fc prints it, no function call; it
# runs __lb_precmd for everything else.  Without it, or with
# LOGBOOK_BASH_BUILTIN=no, __lb_precmd does it all: the spool gets the
# same bytes either way.
if [[ -n ${__lb_spool-} ]]; then
	# loaded twice in one shell (system and user rc files): keep the first
	command rm -f -- "$__lb_new_spool" "$__lb_new_last" 2>/dev/null
else
	__lb_sdir=$__lb_new_sdir __lb_spool=$__lb_new_spool __lb_last=$__lb_new_last __lb_session=$__lb_new_session
	__lb_bin=$__lb_new_bin __lb_dir=$__lb_new_dir
	export LOGBOOK_SESSION=$__lb_session
	__lb_n=0 __lb_hprev= __lb_prevhist= __lb_fail= __lb_warned= __lb_emulate=
	unset __lb_cno __lb_t0 __lb_h
	declare -gA __lb_a=()
	__lb_hc_user=${HISTCONTROL-} __lb_hc_set=$'\1' __lb_hi_user=${HISTIGNORE-}
	# start time, command number, history number: assigned (when unset)
	# while the subscript of an associative array is expanded, which prints
	# nothing and costs less than arithmetic on ${EPOCHREALTIME/[.,]/}
	__lb_ps0='${__lb_a[${__lb_t0=$EPOCHREALTIME}${__lb_cno=\#}${__lb_h=\!}]-}'
	# what PROMPT_COMMAND runs first: the builtin, else the function
	__lb_pc=__lb_precmd
	if [[ -n $__lb_new_so && ${LOGBOOK_BASH_BUILTIN-} != no ]] &&
		builtin enable -f "$__lb_new_so" __lb_record 2>/dev/null; then
		__lb_pc=__lb_record
	fi
	shopt -s cmdhist lithist

	__lb_failed() {
		__lb_fail=1
		if [[ -z $__lb_warned ]]; then
			__lb_warned=1
			# (gone, as after an rm -rf, is not taken over)
			if [[ -O $__lb_sdir && ! -L $__lb_sdir ]] || [[ ! -e $__lb_sdir && ! -L $__lb_sdir ]]; then
				printf 'logbook: cannot write %s: commands of this shell are not recorded\n' "$1" >&2
			else
				printf 'logbook: %s is not this account'\''s own directory: commands of this shell are not recorded\n' "$__lb_sdir" >&2
			fi
		fi
	}

	# the history settings the user asked for, kept away from bash (see above)
	__lb_histsettings() {
		local v
		if [[ ${HISTCONTROL-} != "$__lb_hc_set" ]]; then
			__lb_hc_user=${HISTCONTROL-}
			v=:$__lb_hc_user:
			v=${v//:ignorespace:/:}
			v=${v//:ignoredups:/:}
			v=${v//:ignoreboth:/:}
			v=${v//:erasedups:/:}
			v=${v#:}
			HISTCONTROL=${v%:}
			__lb_hc_set=$HISTCONTROL
		fi
		if [[ -n ${HISTIGNORE-} ]]; then
			__lb_hi_user=$HISTIGNORE
			HISTIGNORE=
		fi
		__lb_emulate=
		[[ $__lb_hc_user == *ignore* || $__lb_hc_user == *erasedups* || -n $__lb_hi_user ]] && __lb_emulate=1
		[[ $PS0 == *"$__lb_ps0"* ]] || PS0+=$__lb_ps0
	}

	# would the user's settings have kept $1 out of the history?
	__lb_histignored() {
		local hc=:$__lb_hc_user: rest pat
		if [[ $1 == ' '* && ( $hc == *:ignorespace:* || $hc == *:ignoreboth:* ) ]]; then
			return 0
		fi
		if [[ $1 == "$__lb_prevhist" && $hc == *:@(ignoredups|ignoreboth|erasedups):* ]]; then
			return 0
		fi
		rest=$__lb_hi_user
		while [[ -n $rest ]]; do
			pat=${rest%%:*}
			rest=${rest#"$pat"}
			rest=${rest#:}
			if [[ $pat == '&' ]]; then
				[[ $1 == "$__lb_prevhist" ]] && return 0
			elif [[ -n $pat && $1 == $pat ]]; then
				return 0
			fi
		done
		return 1
	}

	# the last history line, applied to the history as the user's settings say,
	# then recorded: the path for users with ignorespace, ignoredups or HISTIGNORE
	__lb_emulated() {
		local c= t
		# (.last is never made again here: under the user's umask others could read it)
		if [[ -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_last ]] && builtin fc -ln -0 2>/dev/null >|"$__lb_last"; then
			IFS= builtin read -r -d '' c <"$__lb_last"
		else
			__lb_failed "$__lb_last"
			return
		fi
		t=${c:2}
		t=${t%$'\n'}
		if __lb_histignored "$t"; then
			# the next line gets this one's number: __lb_hprev stays
			builtin history -d -1 2>/dev/null
		else
			__lb_hprev=$__lb_h
			__lb_prevhist=$t
		fi
		[[ -n $t && $t != ' '* && ${LOGBOOK_OFF-} != 1 ]] || return 0
		__lb_n=$((__lb_n + 1))
		if [[ -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]] && printf "${__lb_fail:+\\n}C\\0%s\\0%s\\0%s\\0%s\\0%s\\0%s\\0\\n" \
			"$__lb_n" "$__lb_t0" "$2" "$1" "$PWD" "$c" 2>/dev/null >>"$__lb_spool"; then
			__lb_fail=
		else
			__lb_failed "$__lb_spool"
		fi
	}

	# everything but the common case of __lb_precmd: a pause, a failed write
	# before, the user's history settings to apply ($1 status, $2 end time)
	__lb_other() {
		if [[ -n $__lb_emulate ]]; then
			__lb_emulated "$1" "$2"
		elif [[ ${LOGBOOK_OFF-} == 1 ]]; then
			__lb_hprev=$__lb_h
		else
			__lb_hprev=$__lb_h
			if [[ -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]] && {
				printf "\nC\\0%s\\0%s\\0%s\\0%s\\0%s\\0" $((++__lb_n)) "$__lb_t0" "$2" "$1" "$PWD"
				builtin fc -ln -0 && printf '\0\n'
			} >>"$__lb_spool" 2>&1; then
				__lb_fail=
			else
				__lb_failed "$__lb_spool"
			fi
		fi
	}

	# the hot path, run at every prompt (or by __lb_record when it is not the
	# usual case): bash copies a function's body at each call, so the rare
	# cases live in __lb_other (bench/hook measures this)
	__lb_precmd() {
		local st=$?
		if [[ -n ${__lb_cno-} && $__lb_h != "$__lb_hprev" ]]; then
			__lb_t0=${__lb_t0/[.,]/}
			if [[ -z $__lb_emulate$__lb_fail && ${LOGBOOK_OFF-} != 1 && -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]]; then
				__lb_hprev=$__lb_h
				# the line goes from the history to the spool as fc prints it ("\t " line "\n")
				{
					printf 'C\0%s\0%s\0%s\0%s\0%s\0' $((++__lb_n)) "$__lb_t0" "${EPOCHREALTIME/[.,]/}" $st "$PWD"
					builtin fc -ln -0 && printf '\0\n'
				} >>"$__lb_spool" 2>&1 || __lb_failed "$__lb_spool"
			else
				__lb_other $st "${EPOCHREALTIME/[.,]/}"
			fi
		fi
		unset __lb_cno __lb_t0 __lb_h
		[[ ${HISTCONTROL-} == "$__lb_hc_set" && -z ${HISTIGNORE-} && $PS0 == *"$__lb_ps0"* ]] ||
			__lb_histsettings
		return $st
	}

	__lb_status() {
		return $1
	}

	__lb_exit() {
		local st=$?
		# once, whatever chains of EXIT traps call it
		[[ -z ${__lb_exiting-} ]] || return $st
		__lb_exiting=1
		# the last line (typed before exit) has had no prompt to be recorded at
		__lb_status $st
		__lb_precmd
		if [[ -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]]; then
			printf "${__lb_fail:+\\n}X\\0%s\\0%s\\0\\n" "${EPOCHREALTIME/[.,]/}" "$__lb_n" 2>/dev/null >>"$__lb_spool"
		fi
		"$__lb_bin" -C "$__lb_dir" hook exit "$__lb_session" 2>&1 </dev/null
		eval "${__lb_oldexit-}"
		return $st
	}

	# at the first prompt, after every rc file: run first in PROMPT_COMMAND
	# (to see each command's status) and chain to an EXIT trap set before
	__lb_install() {
		local -a pc=("$__lb_pc")
		local e
		# a prompt that rewrote PROMPT_COMMAND around this call may call it again
		[[ -z ${__lb_installed-} ]] || return 0
		__lb_installed=1
		for e in "${PROMPT_COMMAND[@]}"; do
			[[ $e == __lb_install || $e == __lb_precmd || $e == __lb_record ]] || pc+=("$e")
		done
		if declare -F __bp_precmd_invoke_cmd >/dev/null && declare -p precmd_functions >/dev/null 2>&1; then
			# bash-preexec runs first and hands each precmd function the status
			PROMPT_COMMAND=("${pc[@]:1}")
			precmd_functions=("$__lb_pc" "${precmd_functions[@]}")
		else
			PROMPT_COMMAND=("${pc[@]}")
		fi
		__lb_oldexit=$(trap -p EXIT)
		__lb_oldexit=${__lb_oldexit#"trap -- '"}
		__lb_oldexit=${__lb_oldexit%"' EXIT"}
		__lb_oldexit=${__lb_oldexit//"'\\''"/"'"}
		[[ $__lb_oldexit != __lb_exit ]] || __lb_oldexit=
		trap __lb_exit EXIT
		__lb_histsettings
	}

	[[ -O $__lb_sdir && ! -L $__lb_sdir && -e $__lb_spool ]] &&
		printf 'P\0%s\0\n' "$$" 2>/dev/null >>"$__lb_spool" || __lb_failed "$__lb_spool"
	__lb_histsettings
	PROMPT_COMMAND+=(__lb_install)
fi
unset __lb_new_sdir __lb_new_spool __lb_new_last __lb_new_session __lb_new_bin __lb_new_dir __lb_new_so
