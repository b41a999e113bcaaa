
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'policylayer' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'policylayer'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'policylayer' {
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (also accepted after the command)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (also accepted after the command)')
            [CompletionResult]::new('--max-file-bytes', '--max-file-bytes', [CompletionResultType]::ParameterName, 'The largest policy or catalogue file read (a larger one is an error)')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'The deepest nesting of JSON values read (at most 1024)')
            [CompletionResult]::new('--max-quote-chars', '--max-quote-chars', [CompletionResultType]::ParameterName, 'Characters of an input value quoted in a message before it is cut')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check policies for errors and risky access')
            [CompletionResult]::new('fmt', 'fmt', [CompletionResultType]::ParameterValue, 'Rewrite policies in the canonical layout (stable key order, 2-space indent)')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay recorded tool calls against a policy')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Decide one call and show the rule that made the decision')
            [CompletionResult]::new('catalog', 'catalog', [CompletionResultType]::ParameterValue, 'Read or import a tool catalogue')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print the documentation of a rule (`explain PL101`), or list them all')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starting policy for the catalogue''s server (and, with --catalog, remember the catalogue in the policy folder''s policylayer.toml)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Say, tool by tool, whether a policy change loosens or tightens access')
            [CompletionResult]::new('suggest-limits', 'suggest-limits', [CompletionResultType]::ParameterValue, 'Size limits from recorded traffic (peak units per window), optionally writing them')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the policy format')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'policylayer;lint' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: the nearest policylayer.toml, or pyproject.toml with a [tool.policylayer] section, from each policy''s folder up)')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Only these rules: codes or code prefixes, comma-separated (replaces the config''s)')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Skip these rules: codes or code prefixes, comma-separated (added to the config''s)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'With --fix or --diff: size PL101''s limits from these recorded traces (the peak calls a minute per grant × 1.5, as `suggest-limits` does) instead of 30 a minute')
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--deny-warnings', '--deny-warnings', [CompletionResultType]::ParameterName, 'Fail (exit 1) on warnings too')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Apply the safe fixes to the files')
            [CompletionResult]::new('--unsafe-fixes', '--unsafe-fixes', [CompletionResultType]::ParameterName, 'Count unsafe fixes as fixes too: applied with --fix, shown with --diff')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Print the fixes as a unified diff instead of writing them (exit 1 if there are any)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;fmt' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Write nothing; list the files that are not formatted and exit 1 if there are any')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Write nothing; print the changes as a unified diff (exit 1 if there are any)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;simulate' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy to evaluate against')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write an HTML report (summary, counters against their max over time, denials over time, tools, first denials, expectation failures): one self-contained file')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'A longer trace line is malformed (it is not held in memory)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: the available cores, at most 4): lines are parsed on the others while calls are decided in order on one. The output is the same for any number')
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Report malformed lines and go on (the exit code is still 2)')
            [CompletionResult]::new('--fail-on-deny', '--fail-on-deny', [CompletionResultType]::ParameterName, 'Exit 1 when any call was denied')
            [CompletionResult]::new('--validate-args', '--validate-args', [CompletionResultType]::ParameterName, 'Warn where a call''s arguments do not match the tool''s input schema (also in the jsonl/json records as `invalid_args`)')
            [CompletionResult]::new('--fail-on-invalid-args', '--fail-on-invalid-args', [CompletionResultType]::ParameterName, 'With --validate-args: exit 1 when any call''s arguments do not match')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;check' {
            [CompletionResult]::new('--tool', '--tool', [CompletionResultType]::ParameterName, 'tool')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'The call''s arguments as a JSON object')
            [CompletionResult]::new('--grant', '--grant', [CompletionResultType]::ParameterName, 'grant')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Evaluation time (RFC 3339 or UNIX seconds)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'policy')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is respected under auto)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;catalog' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the catalogue''s tools with category, risk and signals')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one tool: classification, arguments as a tree, signals')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Build a catalogue from a server''s `tools/list` answer (JSON file, `-` for stdin)')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Start an MCP server over stdio, ask it for its tools, print its catalogue')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Ask a live server for its tools: exit 1 when they differ from the catalogue')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'policylayer;catalog;list' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;catalog;show' {
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;catalog;import' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'name')
            [CompletionResult]::new('--server-version', '--server-version', [CompletionResultType]::ParameterName, 'server-version')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the catalogue to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the catalogue to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--merge', '--merge', [CompletionResultType]::ParameterName, 'Keep the category, risk, summary and note of each tool from this catalogue, and report tools added, removed and changed since it')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'With a report: also say which rules of this policy the differences touch')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the report (on standard output with --output, else on standard error)')
            [CompletionResult]::new('--no-curated', '--no-curated', [CompletionResultType]::ParameterName, 'Do not start from the curated catalogue shipped for this server (Leapfrog): show the classification inferred from the server''s answer alone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;catalog;scan' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the server''s answers')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the catalogue to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the catalogue to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--merge', '--merge', [CompletionResultType]::ParameterName, 'Keep the category, risk, summary and note of each tool from this catalogue, and report tools added, removed and changed since it')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'With a report: also say which rules of this policy the differences touch')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the report (on standard output with --output, else on standard error)')
            [CompletionResult]::new('--no-curated', '--no-curated', [CompletionResultType]::ParameterName, 'Do not start from the curated catalogue shipped for this server (Leapfrog): show the classification inferred from the server''s answer alone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;catalog;check' {
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the server''s answers')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Also say which rules of this policy the differences touch')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;catalog;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the catalogue''s tools with category, risk and signals')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one tool: classification, arguments as a tree, signals')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Build a catalogue from a server''s `tools/list` answer (JSON file, `-` for stdin)')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Start an MCP server over stdio, ask it for its tools, print its catalogue')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Ask a live server for its tools: exit 1 when they differ from the catalogue')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'policylayer;catalog;help;list' {
            break
        }
        'policylayer;catalog;help;show' {
            break
        }
        'policylayer;catalog;help;import' {
            break
        }
        'policylayer;catalog;help;scan' {
            break
        }
        'policylayer;catalog;help;check' {
            break
        }
        'policylayer;catalog;help;help' {
            break
        }
        'policylayer;explain' {
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List every rule with its code, default severity and name')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;init' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write it (`-` for standard output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write it (`-` for standard output)')
            [CompletionResult]::new('--posture', '--posture', [CompletionResultType]::ParameterName, 'How much the policy lets through')
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing file, and point a configuration that names another catalogue at this one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;diff' {
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Compare each file given with its version in this revision (`--against HEAD`, as the pre-commit hook does for every staged policy)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when the change moves access this way ("may loosen" counts both ways)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Replay these traces under both policies and report the calls whose decision changed')
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'Add the unified diff of both policies in the canonical layout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;suggest-limits' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy whose traffic is measured (its access rules decide what counts)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Windows to size (`minute`, `hour`, `day` or seconds, comma-separated; default: the windows of the policy''s limits, else minute and hour)')
            [CompletionResult]::new('--headroom', '--headroom', [CompletionResultType]::ParameterName, 'Suggested max = the peak × this, rounded up to a readable number (at least 1)')
            [CompletionResult]::new('--tool', '--tool', [CompletionResultType]::ParameterName, 'Only these tools (repeatable)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--max-line-bytes', '--max-line-bytes', [CompletionResultType]::ParameterName, 'A longer trace line is malformed (it is not held in memory)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to read with (default: the available cores, at most 4), as for `simulate`; above one, the measuring counts get one more of their own')
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'Tool catalogue to check against (default: the `catalog` key of the nearest policylayer.toml, else the built-in Leapfrog catalogue)')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Add the suggested limit to each write-like tool that has none (atomically)')
            [CompletionResult]::new('--update-existing', '--update-existing', [CompletionResultType]::ParameterName, 'With --write: also set each existing limit''s max to its suggestion')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;schema' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'policylayer;help' {
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check policies for errors and risky access')
            [CompletionResult]::new('fmt', 'fmt', [CompletionResultType]::ParameterValue, 'Rewrite policies in the canonical layout (stable key order, 2-space indent)')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay recorded tool calls against a policy')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Decide one call and show the rule that made the decision')
            [CompletionResult]::new('catalog', 'catalog', [CompletionResultType]::ParameterValue, 'Read or import a tool catalogue')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Print the documentation of a rule (`explain PL101`), or list them all')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starting policy for the catalogue''s server (and, with --catalog, remember the catalogue in the policy folder''s policylayer.toml)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Say, tool by tool, whether a policy change loosens or tightens access')
            [CompletionResult]::new('suggest-limits', 'suggest-limits', [CompletionResultType]::ParameterValue, 'Size limits from recorded traffic (peak units per window), optionally writing them')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the policy format')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'policylayer;help;lint' {
            break
        }
        'policylayer;help;fmt' {
            break
        }
        'policylayer;help;simulate' {
            break
        }
        'policylayer;help;check' {
            break
        }
        'policylayer;help;catalog' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the catalogue''s tools with category, risk and signals')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one tool: classification, arguments as a tree, signals')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Build a catalogue from a server''s `tools/list` answer (JSON file, `-` for stdin)')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Start an MCP server over stdio, ask it for its tools, print its catalogue')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Ask a live server for its tools: exit 1 when they differ from the catalogue')
            break
        }
        'policylayer;help;catalog;list' {
            break
        }
        'policylayer;help;catalog;show' {
            break
        }
        'policylayer;help;catalog;import' {
            break
        }
        'policylayer;help;catalog;scan' {
            break
        }
        'policylayer;help;catalog;check' {
            break
        }
        'policylayer;help;explain' {
            break
        }
        'policylayer;help;init' {
            break
        }
        'policylayer;help;diff' {
            break
        }
        'policylayer;help;suggest-limits' {
            break
        }
        'policylayer;help;schema' {
            break
        }
        'policylayer;help;completions' {
            break
        }
        'policylayer;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
