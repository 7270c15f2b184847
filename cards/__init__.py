"""Platform-neutral ticket cards and their renderers (Feishu, DingTalk, sandbox HTML).

Empty until the cards issue: the card model is built from `tickets` values and the viewer's
role, so it waits on nothing but the core.
"""
