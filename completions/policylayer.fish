# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_policylayer_global_optspecs
    string join \n catalog= color= max-file-bytes= max-depth= max-quote-chars= h/help V/version
end

function __fish_policylayer_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_policylayer_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_policylayer_using_subcommand
    set -l cmd (__fish_policylayer_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c policylayer -n "__fish_policylayer_needs_command" -l catalog -d 'Tool catalogue to check against (also accepted after the command)' -r -F
complete -c policylayer -n "__fish_policylayer_needs_command" -l color -d 'When to colour output (also accepted after the command)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c policylayer -n "__fish_policylayer_needs_command" -l max-file-bytes -d 'The largest policy or catalogue file read (a larger one is an error)' -r
complete -c policylayer -n "__fish_policylayer_needs_command" -l max-depth -d 'The deepest nesting of JSON values read (at most 1024)' -r
complete -c policylayer -n "__fish_policylayer_needs_command" -l max-quote-chars -d 'Characters of an input value quoted in a message before it is cut' -r
complete -c policylayer -n "__fish_policylayer_needs_command" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_needs_command" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "lint" -d 'Check policies for errors and risky access'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "fmt" -d 'Rewrite policies in the canonical layout (stable key order, 2-space indent)'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "simulate" -d 'Replay recorded tool calls against a policy'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "check" -d 'Decide one call and show the rule that made the decision'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "catalog" -d 'Read or import a tool catalogue'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "explain" -d 'Print the documentation of a rule (`explain PL101`), or list them all'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "init" -d 'Write a starting policy for the catalogue\'s server (and, with --catalog, remember the catalogue in the policy folder\'s policylayer.toml)'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "diff" -d 'Say, tool by tool, whether a policy change loosens or tightens access'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "suggest-limits" -d 'Size limits from recorded traffic (peak units per window), optionally writing them'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "schema" -d 'Print the JSON Schema of the policy format'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c policylayer -n "__fish_policylayer_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l format -r -f -a "human\t'Source snippets like rustc\'s, then a summary line'
json\t'One JSON array of diagnostics'
sarif\t'SARIF 2.1.0, for code scanning'
github\t'GitHub Actions workflow annotations'
gitlab\t'A GitLab code-quality report'"
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l config -d 'Configuration file (default: the nearest policylayer.toml, or pyproject.toml with a [tool.policylayer] section, from each policy\'s folder up)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l select -d 'Only these rules: codes or code prefixes, comma-separated (replaces the config\'s)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l ignore -d 'Skip these rules: codes or code prefixes, comma-separated (added to the config\'s)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l trace -d 'With --fix or --diff: size PL101\'s limits from these recorded traces (the peak calls a minute per grant × 1.5, as `suggest-limits` does) instead of 30 a minute' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l color -d 'When to colour output (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l deny-warnings -d 'Fail (exit 1) on warnings too'
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l fix -d 'Apply the safe fixes to the files'
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l unsafe-fixes -d 'Count unsafe fixes as fixes too: applied with --fix, shown with --diff'
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -l diff -d 'Print the fixes as a unified diff instead of writing them (exit 1 if there are any)'
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c policylayer -n "__fish_policylayer_using_subcommand lint" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand fmt" -l color -d 'When to colour output (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand fmt" -l check -d 'Write nothing; list the files that are not formatted and exit 1 if there are any'
complete -c policylayer -n "__fish_policylayer_using_subcommand fmt" -l diff -d 'Write nothing; print the changes as a unified diff (exit 1 if there are any)'
complete -c policylayer -n "__fish_policylayer_using_subcommand fmt" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand fmt" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l policy -d 'Policy to evaluate against' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l format -r -f -a "human\t''
json\t''
jsonl\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l report -d 'Also write an HTML report (summary, counters against their max over time, denials over time, tools, first denials, expectation failures): one self-contained file' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l max-line-bytes -d 'A longer trace line is malformed (it is not held in memory)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l threads -d 'Threads to use (default: the available cores, at most 4): lines are parsed on the others while calls are decided in order on one. The output is the same for any number' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l color -d 'When to colour output (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l keep-going -d 'Report malformed lines and go on (the exit code is still 2)'
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l fail-on-deny -d 'Exit 1 when any call was denied'
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l validate-args -d 'Warn where a call\'s arguments do not match the tool\'s input schema (also in the jsonl/json records as `invalid_args`)'
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -l fail-on-invalid-args -d 'With --validate-args: exit 1 when any call\'s arguments do not match'
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand simulate" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -l tool -r
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -l args -d 'The call\'s arguments as a JSON object' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -l grant -r
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -l at -d 'Evaluation time (RFC 3339 or UNIX seconds)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -l policy -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -l format -r -f -a "human\t''
json\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -l color -d 'When to colour output (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand check" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and not __fish_seen_subcommand_from list show import scan check help" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and not __fish_seen_subcommand_from list show import scan check help" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and not __fish_seen_subcommand_from list show import scan check help" -f -a "list" -d 'List the catalogue\'s tools with category, risk and signals'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and not __fish_seen_subcommand_from list show import scan check help" -f -a "show" -d 'Show one tool: classification, arguments as a tree, signals'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and not __fish_seen_subcommand_from list show import scan check help" -f -a "import" -d 'Build a catalogue from a server\'s `tools/list` answer (JSON file, `-` for stdin)'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and not __fish_seen_subcommand_from list show import scan check help" -f -a "scan" -d 'Start an MCP server over stdio, ask it for its tools, print its catalogue'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and not __fish_seen_subcommand_from list show import scan check help" -f -a "check" -d 'Ask a live server for its tools: exit 1 when they differ from the catalogue'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and not __fish_seen_subcommand_from list show import scan check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from list" -l format -r -f -a "human\t''
json\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from list" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from show" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -l name -r
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -l server-version -r
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -s o -l output -d 'Write the catalogue to FILE (atomically) instead of standard output' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -l merge -d 'Keep the category, risk, summary and note of each tool from this catalogue, and report tools added, removed and changed since it' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -l policy -d 'With a report: also say which rules of this policy the differences touch' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -l format -d 'Format of the report (on standard output with --output, else on standard error)' -r -f -a "human\t''
json\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -l no-curated -d 'Do not start from the curated catalogue shipped for this server (Leapfrog): show the classification inferred from the server\'s answer alone'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from scan" -l timeout -d 'Seconds to wait for the server\'s answers' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from scan" -s o -l output -d 'Write the catalogue to FILE (atomically) instead of standard output' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from scan" -l merge -d 'Keep the category, risk, summary and note of each tool from this catalogue, and report tools added, removed and changed since it' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from scan" -l policy -d 'With a report: also say which rules of this policy the differences touch' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from scan" -l format -d 'Format of the report (on standard output with --output, else on standard error)' -r -f -a "human\t''
json\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from scan" -l no-curated -d 'Do not start from the curated catalogue shipped for this server (Leapfrog): show the classification inferred from the server\'s answer alone'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from scan" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from scan" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from check" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from check" -l timeout -d 'Seconds to wait for the server\'s answers' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from check" -l policy -d 'Also say which rules of this policy the differences touch' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from check" -l format -r -f -a "human\t''
json\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the catalogue\'s tools with category, risk and signals'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one tool: classification, arguments as a tree, signals'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "import" -d 'Build a catalogue from a server\'s `tools/list` answer (JSON file, `-` for stdin)'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "scan" -d 'Start an MCP server over stdio, ask it for its tools, print its catalogue'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "check" -d 'Ask a live server for its tools: exit 1 when they differ from the catalogue'
complete -c policylayer -n "__fish_policylayer_using_subcommand catalog; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c policylayer -n "__fish_policylayer_using_subcommand explain" -l all -d 'List every rule with its code, default severity and name'
complete -c policylayer -n "__fish_policylayer_using_subcommand explain" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand explain" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand init" -s o -l output -d 'Where to write it (`-` for standard output)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand init" -l posture -d 'How much the policy lets through' -r -f -a "recommended\t'Deny by default; destructive tools hidden, critical ones behind a person, every other write-like tool rate-limited, URL arguments restricted to hosts you list'
strict\t'Deny by default; only read tools allowed, every other tool denied or hidden'
permissive\t'Every tool allowed: write-like tools rate-limited, destructive and critical ones behind a person, URL arguments restricted to hosts you list'"
complete -c policylayer -n "__fish_policylayer_using_subcommand init" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand init" -l force -d 'Replace an existing file, and point a configuration that names another catalogue at this one'
complete -c policylayer -n "__fish_policylayer_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c policylayer -n "__fish_policylayer_using_subcommand init" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -l against -d 'Compare each file given with its version in this revision (`--against HEAD`, as the pre-commit hook does for every staged policy)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -l format -r -f -a "human\t''
json\t''
markdown\t'A verdict and a table, to post as a pull-request comment'"
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -l fail-on -d 'Exit 1 when the change moves access this way ("may loosen" counts both ways)' -r -f -a "loosen\t'Any loosening, proven or not'
tighten\t'Any tightening, proven or not'
any\t'Any semantic change'"
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -l trace -d 'Replay these traces under both policies and report the calls whose decision changed' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -l color -d 'When to colour output (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -l text -d 'Add the unified diff of both policies in the canonical layout'
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c policylayer -n "__fish_policylayer_using_subcommand diff" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l policy -d 'The policy whose traffic is measured (its access rules decide what counts)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l window -d 'Windows to size (`minute`, `hour`, `day` or seconds, comma-separated; default: the windows of the policy\'s limits, else minute and hour)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l headroom -d 'Suggested max = the peak × this, rounded up to a readable number (at least 1)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l tool -d 'Only these tools (repeatable)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l format -r -f -a "human\t''
json\t''"
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l max-line-bytes -d 'A longer trace line is malformed (it is not held in memory)' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l threads -d 'Threads to read with (default: the available cores, at most 4), as for `simulate`; above one, the measuring counts get one more of their own' -r
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l catalog -d 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)' -r -F
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l write -d 'Add the suggested limit to each write-like tool that has none (atomically)'
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -l update-existing -d 'With --write: also set each existing limit\'s max to its suggestion'
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand suggest-limits" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand schema" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand schema" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand completions" -s h -l help -d 'Print help'
complete -c policylayer -n "__fish_policylayer_using_subcommand completions" -s V -l version -d 'Print version'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "lint" -d 'Check policies for errors and risky access'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "fmt" -d 'Rewrite policies in the canonical layout (stable key order, 2-space indent)'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "simulate" -d 'Replay recorded tool calls against a policy'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "check" -d 'Decide one call and show the rule that made the decision'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "catalog" -d 'Read or import a tool catalogue'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "explain" -d 'Print the documentation of a rule (`explain PL101`), or list them all'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "init" -d 'Write a starting policy for the catalogue\'s server (and, with --catalog, remember the catalogue in the policy folder\'s policylayer.toml)'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "diff" -d 'Say, tool by tool, whether a policy change loosens or tightens access'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "suggest-limits" -d 'Size limits from recorded traffic (peak units per window), optionally writing them'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "schema" -d 'Print the JSON Schema of the policy format'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "completions" -d 'Print shell completions'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and not __fish_seen_subcommand_from lint fmt simulate check catalog explain init diff suggest-limits schema completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and __fish_seen_subcommand_from catalog" -f -a "list" -d 'List the catalogue\'s tools with category, risk and signals'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and __fish_seen_subcommand_from catalog" -f -a "show" -d 'Show one tool: classification, arguments as a tree, signals'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and __fish_seen_subcommand_from catalog" -f -a "import" -d 'Build a catalogue from a server\'s `tools/list` answer (JSON file, `-` for stdin)'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and __fish_seen_subcommand_from catalog" -f -a "scan" -d 'Start an MCP server over stdio, ask it for its tools, print its catalogue'
complete -c policylayer -n "__fish_policylayer_using_subcommand help; and __fish_seen_subcommand_from catalog" -f -a "check" -d 'Ask a live server for its tools: exit 1 when they differ from the catalogue'
