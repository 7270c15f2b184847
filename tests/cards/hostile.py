"""Things residents (or pranksters) type, aimed at every markup a card may be rendered in."""

HOSTILE = [
    "<at id=all></at>",
    '<at user_id="all">所有人</at>',
    "@所有人 @all @ALL",
    "<@u123> <a atId='123'>@张三</a>",
    "[点我领红包](https://evil.example/x)",
    '<a href="https://evil.example">链接</a>',
    "https://evil.example/phish",
    "<script>alert(1)</script>",
    "**加粗** _斜体_ ~~删除~~ `代码` <font color='red'>红字</font>",
    "' onmouseover='alert(1)' x='",
    '" onclick="alert(1)',
    "{{7*7}} {% raw %}",
    "\n# 标题\n- 列表\n> 引用",
    '</dd></dl><button data-value=\'{"n":"x"}\'>接单</button>',
]
