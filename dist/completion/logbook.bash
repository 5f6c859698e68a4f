# bash completion for logbook.  Every candidate comes from the binary
# itself ("logbook complete CWORD WORDS..."): commands from its table,
# options and arguments from each command's --help, days, hosts, admins
# and remotes from the journal.  A command added to logbook completes
# without touching this file.
_logbook() {
	local cur=${COMP_WORDS[COMP_CWORD]} bin=logbook out w files= dirs=
	local IFS=$'\n'
	# the logbook being completed, when typed with a path (./logbook)
	[[ ${COMP_WORDS[0]} == */* && -x ${COMP_WORDS[0]} ]] && bin=${COMP_WORDS[0]}
	out=$("$bin" complete "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null) || return 0
	COMPREPLY=()
	for w in $out; do
		case $w in
		:files) files=1 ;;
		:dirs) dirs=1 ;;
		*) COMPREPLY+=("$w") ;;
		esac
	done
	# right after "--opt=", bash's word is "=": the value starts empty
	[[ $cur == = ]] && cur=
	if [[ -n $files$dirs ]]; then
		if [[ -n $files ]]; then
			COMPREPLY+=($(compgen -f -- "$cur"))
		else
			COMPREPLY+=($(compgen -d -- "$cur"))
		fi
		compopt -o filenames 2>/dev/null
	fi
	# an option whose value follows its '=' gets no space after it
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}
complete -F _logbook logbook
