#!/bin/sh
# A stand-in MCP stdio server for `catalog scan` tests: answers initialize and two pages
# of tools/list, with a log line and a notification in between to be skipped.
read -r _initialize
echo 'starting fake server (a log line, not JSON)'
printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"fake-shop","version":"1.2.3"}}}'
read -r _initialized
read -r _list
printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hi"}}'
printf '%s\n' '{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"get_order","description":"Read one order. Returns JSON.","inputSchema":{"type":"object","properties":{"id":{"type":"string"}}}}],"nextCursor":"p2"}}'
read -r _list2
printf '%s\n' '{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"refund_payment","inputSchema":{"type":"object","properties":{"amount":{"type":"number"},"callbackUrl":{"type":"string"}}}},{"name":"delete_customer","annotations":{"destructiveHint":true},"inputSchema":{"type":"object"}}]}}'
read -r _eof
