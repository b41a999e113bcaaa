
use builtin;
use str;

set edit:completion:arg-completer[policylayer] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'policylayer'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'policylayer'= {
            cand --catalog 'Tool catalogue to check against (also accepted after the command)'
            cand --color 'When to colour output (also accepted after the command)'
            cand --max-file-bytes 'The largest policy or catalogue file read (a larger one is an error)'
            cand --max-depth 'The deepest nesting of JSON values read (at most 1024)'
            cand --max-quote-chars 'Characters of an input value quoted in a message before it is cut'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand lint 'Check policies for errors and risky access'
            cand fmt 'Rewrite policies in the canonical layout (stable key order, 2-space indent)'
            cand simulate 'Replay recorded tool calls against a policy'
            cand check 'Decide one call and show the rule that made the decision'
            cand catalog 'Read or import a tool catalogue'
            cand explain 'Print the documentation of a rule (`explain PL101`), or list them all'
            cand init 'Write a starting policy for the catalogue''s server (and, with --catalog, remember the catalogue in the policy folder''s policylayer.toml)'
            cand diff 'Say, tool by tool, whether a policy change loosens or tightens access'
            cand suggest-limits 'Size limits from recorded traffic (peak units per window), optionally writing them'
            cand schema 'Print the JSON Schema of the policy format'
            cand completions 'Print shell completions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'policylayer;lint'= {
            cand --format 'format'
            cand --config 'Configuration file (default: the nearest policylayer.toml, or pyproject.toml with a [tool.policylayer] section, from each policy''s folder up)'
            cand --select 'Only these rules: codes or code prefixes, comma-separated (replaces the config''s)'
            cand --ignore 'Skip these rules: codes or code prefixes, comma-separated (added to the config''s)'
            cand --trace 'With --fix or --diff: size PL101''s limits from these recorded traces (the peak calls a minute per grant × 1.5, as `suggest-limits` does) instead of 30 a minute'
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand --color 'When to colour output (NO_COLOR is respected under auto)'
            cand --deny-warnings 'Fail (exit 1) on warnings too'
            cand --fix 'Apply the safe fixes to the files'
            cand --unsafe-fixes 'Count unsafe fixes as fixes too: applied with --fix, shown with --diff'
            cand --diff 'Print the fixes as a unified diff instead of writing them (exit 1 if there are any)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;fmt'= {
            cand --color 'When to colour output (NO_COLOR is respected under auto)'
            cand --check 'Write nothing; list the files that are not formatted and exit 1 if there are any'
            cand --diff 'Write nothing; print the changes as a unified diff (exit 1 if there are any)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;simulate'= {
            cand --policy 'Policy to evaluate against'
            cand --format 'format'
            cand --report 'Also write an HTML report (summary, counters against their max over time, denials over time, tools, first denials, expectation failures): one self-contained file'
            cand --max-line-bytes 'A longer trace line is malformed (it is not held in memory)'
            cand --threads 'Threads to use (default: the available cores, at most 4): lines are parsed on the others while calls are decided in order on one. The output is the same for any number'
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand --color 'When to colour output (NO_COLOR is respected under auto)'
            cand --keep-going 'Report malformed lines and go on (the exit code is still 2)'
            cand --fail-on-deny 'Exit 1 when any call was denied'
            cand --validate-args 'Warn where a call''s arguments do not match the tool''s input schema (also in the jsonl/json records as `invalid_args`)'
            cand --fail-on-invalid-args 'With --validate-args: exit 1 when any call''s arguments do not match'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;check'= {
            cand --tool 'tool'
            cand --args 'The call''s arguments as a JSON object'
            cand --grant 'grant'
            cand --at 'Evaluation time (RFC 3339 or UNIX seconds)'
            cand --policy 'policy'
            cand --format 'format'
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand --color 'When to colour output (NO_COLOR is respected under auto)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;catalog'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the catalogue''s tools with category, risk and signals'
            cand show 'Show one tool: classification, arguments as a tree, signals'
            cand import 'Build a catalogue from a server''s `tools/list` answer (JSON file, `-` for stdin)'
            cand scan 'Start an MCP server over stdio, ask it for its tools, print its catalogue'
            cand check 'Ask a live server for its tools: exit 1 when they differ from the catalogue'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'policylayer;catalog;list'= {
            cand --format 'format'
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;catalog;show'= {
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;catalog;import'= {
            cand --name 'name'
            cand --server-version 'server-version'
            cand -o 'Write the catalogue to FILE (atomically) instead of standard output'
            cand --output 'Write the catalogue to FILE (atomically) instead of standard output'
            cand --merge 'Keep the category, risk, summary and note of each tool from this catalogue, and report tools added, removed and changed since it'
            cand --policy 'With a report: also say which rules of this policy the differences touch'
            cand --format 'Format of the report (on standard output with --output, else on standard error)'
            cand --no-curated 'Do not start from the curated catalogue shipped for this server (Leapfrog): show the classification inferred from the server''s answer alone'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;catalog;scan'= {
            cand --timeout 'Seconds to wait for the server''s answers'
            cand -o 'Write the catalogue to FILE (atomically) instead of standard output'
            cand --output 'Write the catalogue to FILE (atomically) instead of standard output'
            cand --merge 'Keep the category, risk, summary and note of each tool from this catalogue, and report tools added, removed and changed since it'
            cand --policy 'With a report: also say which rules of this policy the differences touch'
            cand --format 'Format of the report (on standard output with --output, else on standard error)'
            cand --no-curated 'Do not start from the curated catalogue shipped for this server (Leapfrog): show the classification inferred from the server''s answer alone'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;catalog;check'= {
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand --timeout 'Seconds to wait for the server''s answers'
            cand --policy 'Also say which rules of this policy the differences touch'
            cand --format 'format'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;catalog;help'= {
            cand list 'List the catalogue''s tools with category, risk and signals'
            cand show 'Show one tool: classification, arguments as a tree, signals'
            cand import 'Build a catalogue from a server''s `tools/list` answer (JSON file, `-` for stdin)'
            cand scan 'Start an MCP server over stdio, ask it for its tools, print its catalogue'
            cand check 'Ask a live server for its tools: exit 1 when they differ from the catalogue'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'policylayer;catalog;help;list'= {
        }
        &'policylayer;catalog;help;show'= {
        }
        &'policylayer;catalog;help;import'= {
        }
        &'policylayer;catalog;help;scan'= {
        }
        &'policylayer;catalog;help;check'= {
        }
        &'policylayer;catalog;help;help'= {
        }
        &'policylayer;explain'= {
            cand --all 'List every rule with its code, default severity and name'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;init'= {
            cand -o 'Where to write it (`-` for standard output)'
            cand --output 'Where to write it (`-` for standard output)'
            cand --posture 'How much the policy lets through'
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand --force 'Replace an existing file, and point a configuration that names another catalogue at this one'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;diff'= {
            cand --against 'Compare each file given with its version in this revision (`--against HEAD`, as the pre-commit hook does for every staged policy)'
            cand --format 'format'
            cand --fail-on 'Exit 1 when the change moves access this way ("may loosen" counts both ways)'
            cand --trace 'Replay these traces under both policies and report the calls whose decision changed'
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand --color 'When to colour output (NO_COLOR is respected under auto)'
            cand --text 'Add the unified diff of both policies in the canonical layout'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;suggest-limits'= {
            cand --policy 'The policy whose traffic is measured (its access rules decide what counts)'
            cand --window 'Windows to size (`minute`, `hour`, `day` or seconds, comma-separated; default: the windows of the policy''s limits, else minute and hour)'
            cand --headroom 'Suggested max = the peak × this, rounded up to a readable number (at least 1)'
            cand --tool 'Only these tools (repeatable)'
            cand --format 'format'
            cand --max-line-bytes 'A longer trace line is malformed (it is not held in memory)'
            cand --threads 'Threads to read with (default: the available cores, at most 4), as for `simulate`; above one, the measuring counts get one more of their own'
            cand --catalog 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)'
            cand --write 'Add the suggested limit to each write-like tool that has none (atomically)'
            cand --update-existing 'With --write: also set each existing limit''s max to its suggestion'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;schema'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'policylayer;help'= {
            cand lint 'Check policies for errors and risky access'
            cand fmt 'Rewrite policies in the canonical layout (stable key order, 2-space indent)'
            cand simulate 'Replay recorded tool calls against a policy'
            cand check 'Decide one call and show the rule that made the decision'
            cand catalog 'Read or import a tool catalogue'
            cand explain 'Print the documentation of a rule (`explain PL101`), or list them all'
            cand init 'Write a starting policy for the catalogue''s server (and, with --catalog, remember the catalogue in the policy folder''s policylayer.toml)'
            cand diff 'Say, tool by tool, whether a policy change loosens or tightens access'
            cand suggest-limits 'Size limits from recorded traffic (peak units per window), optionally writing them'
            cand schema 'Print the JSON Schema of the policy format'
            cand completions 'Print shell completions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'policylayer;help;lint'= {
        }
        &'policylayer;help;fmt'= {
        }
        &'policylayer;help;simulate'= {
        }
        &'policylayer;help;check'= {
        }
        &'policylayer;help;catalog'= {
            cand list 'List the catalogue''s tools with category, risk and signals'
            cand show 'Show one tool: classification, arguments as a tree, signals'
            cand import 'Build a catalogue from a server''s `tools/list` answer (JSON file, `-` for stdin)'
            cand scan 'Start an MCP server over stdio, ask it for its tools, print its catalogue'
            cand check 'Ask a live server for its tools: exit 1 when they differ from the catalogue'
        }
        &'policylayer;help;catalog;list'= {
        }
        &'policylayer;help;catalog;show'= {
        }
        &'policylayer;help;catalog;import'= {
        }
        &'policylayer;help;catalog;scan'= {
        }
        &'policylayer;help;catalog;check'= {
        }
        &'policylayer;help;explain'= {
        }
        &'policylayer;help;init'= {
        }
        &'policylayer;help;diff'= {
        }
        &'policylayer;help;suggest-limits'= {
        }
        &'policylayer;help;schema'= {
        }
        &'policylayer;help;completions'= {
        }
        &'policylayer;help;help'= {
        }
    ]
    $completions[$command]
}
