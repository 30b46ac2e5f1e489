import { COMMANDS, optionNames } from './usage.ts';

/**
 * The bash completion script, made from the usage table so it never falls behind the commands:
 * commands first, then each command's fixed words and options; directories and files after an
 * option that takes a path, network names read from the conf dir after the commands that take one.
 */
export function bashCompletion(): string {
  const cases = Object.keys(COMMANDS)
    .map((name) => `    ${name}) words="${[...(COMMANDS[name]!.words ?? []), ...optionNames(name)].join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for cnictl: source <(cnictl completion bash)
_cnictl() {
  local cur prev cmd words dir
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${Object.keys(COMMANDS).join(' ')} --help --version" -- "$cur") )
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
    --conf-dir|--cache-dir|--data-dir|--dir|--from|--state-dir|--bin-dir|--cni-path)
      COMPREPLY=( $(compgen -d -- "$cur") ); return ;;
    -o|--output|--subnet-file|--netns)
      COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  case "$cmd" in
${cases}
    *) words="" ;;
  esac
  case "$cmd" in
    add|check|del|gc|status|list)
      if [ "$COMP_CWORD" -eq 2 ]; then
        dir="\${NETCONFPATH:-/etc/cni/net.d}"
        words="$words $(grep -ho '"name"[[:space:]]*:[[:space:]]*"[^"]*"' "$dir"/*.conflist "$dir"/*.conf "$dir"/*.json 2>/dev/null | sed 's/.*"\\([^"]*\\)"$/\\1/' | sort -u)"
      elif [ "$COMP_CWORD" -eq 3 ] && [ "$cmd" != gc ] && [ "$cmd" != status ] && [ "$cmd" != list ]; then
        words="$words $(ls /run/netns 2>/dev/null)"
      fi ;;
  esac
  COMPREPLY=( $(compgen -W "$words --help" -- "$cur") )
}
complete -F _cnictl cnictl
`;
}
