# bash completion for primbench(1): installed as
# share/bash-completion/completions/primbench.
#
# Commands and options are read from primbench's own --help (the
# "commands:" section, and each command's "... options:" sections), so
# completion cannot drift from the program; benchmark names after --filter
# and sweeps after --x come from `primbench list`.  Values with a fixed set (placements, event
# sets, compare and export formats) are listed here.  Needs nothing of the
# bash-completion package.

# _primbench_prog: the primbench being completed (as typed, if it runs),
# for --help and list.
_primbench_prog()
{
	local p=${COMP_WORDS[0]}
	if [[ $p == "~/"* ]]; then
		p=$HOME/${p#"~/"}
	fi
	command -v -- "$p" >/dev/null 2>&1 || p=primbench
	printf '%s\n' "$p"
}

# _primbench_commands PROG: the commands of `PROG --help`.
_primbench_commands()
{
	"$1" --help 2>/dev/null | awk '
		/^commands:/ { on = 1; next }
		on && /^[^ ]/ { on = 0 }
		on && /^  [a-z]/ { print $1 }'
}

# _primbench_options PROG CMD: the long options of CMD, from the sections
# of `PROG CMD --help` headed "options:" or naming CMD ("run options:",
# "list/info options:"); --help always, each once.
_primbench_options()
{
	{ "$1" "$2" --help 2>/dev/null; printf '  --help\n'; } | awk -v cmd="$2" '
		/^[^ ].*:$/ {
			h = $0; sub(/ *options:$/, "", h)
			on = ($0 ~ /options:$/) && (h == "" || h == "options:" ||
			     index("/" h "/", "/" cmd "/") || index(" " h " ", " " cmd " "))
			next
		}
		/^[^ ]/ { on = 0 }
		on && /^ +-/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^--[a-z]/) { o = $i; sub(/[,=].*$/, "", o); if (!s[o]++) print o }
		}
		/^  --help$/ && !s["--help"]++ { print "--help" }'
}

# _primbench_sweeps PROG: "SWEEP=" of every sweep with points that
# `PROG list` shows (what --x takes; a per-CPU sweep has none).
_primbench_sweeps()
{
	"$1" list 2>/dev/null | awk '
		/^$/ { exit }
		$1 == "sweep" && $3 != "every" { s = $2; sub(/:$/, "", s); if (!seen[s]++) print s "=" }'
}

# _primbench_benchmarks PROG: "bench/" and "bench/variant" of every
# variant `PROG list` shows.
_primbench_benchmarks()
{
	"$1" list 2>/dev/null | awk '
		/^$/ { exit }
		/^[^ ]/ && $2 == "-" { b = $1; print b "/"; next }
		/^  [^ ]/ && b != "" { print b "/" $1 }'
}

_primbench()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=""
	local prog cmd i
	local placements="same-cpu smt same-cache cross-cache cross-numa cross-package single unpinned"

	COMPREPLY=()
	prog=$(_primbench_prog)
	if [[ $COMP_CWORD -ge 1 ]]; then
		prev=${COMP_WORDS[COMP_CWORD-1]}
	fi
	# --opt=value: bash splits it at '=' (COMP_WORDBREAKS).
	if [[ $cur == "=" ]]; then
		cur=""
	elif [[ $prev == "=" && $COMP_CWORD -ge 2 ]]; then
		prev=${COMP_WORDS[COMP_CWORD-2]}
	fi
	if [[ $COMP_CWORD -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$(_primbench_commands "$prog") --help --version" -- "$cur"))
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	case $prev in
	--filter)
		COMPREPLY=($(compgen -W "$(_primbench_benchmarks "$prog")" -- "$cur"))
		return 0 ;;
	--x)
		COMPREPLY=($(compgen -W "$(_primbench_sweeps "$prog")" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return 0 ;;
	--placement)
		# A comma-separated list: complete its last item.
		local head=""
		if [[ $cur == *,* ]]; then
			head=${cur%,*},
		fi
		COMPREPLY=($(compgen -P "$head" -W "$placements" -- "${cur##*,}"))
		return 0 ;;
	--events)
		COMPREPLY=($(compgen -W "all none sw hw" -- "$cur"))
		return 0 ;;
	--format)
		if [[ $cmd == export ]]; then
			COMPREPLY=($(compgen -W "gbench-json benchstat" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "text md csv" -- "$cur"))
		fi
		return 0 ;;
	--out | -o | --topology)
		if [[ $cmd == run ]]; then
			COMPREPLY=($(compgen -d -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		compopt -o filenames 2>/dev/null
		return 0 ;;
	--rounds | --seed | --reps | --budget-ms | --min-sample-ms | --timeout | \
	--threshold | --alpha | --min-decidable | --link-prefix)
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_primbench_options "$prog" "$cmd")" -- "$cur"))
		return 0
	fi
	# Operands of the commands that take any (compare, plot, report, ...):
	# results folders.
	case $cmd in
	run | list | info | help) ;;
	*)
		COMPREPLY=($(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null ;;
	esac
	return 0
}

complete -F _primbench primbench
