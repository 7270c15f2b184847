"""The sandbox: a chat platform inside baoxiu, in the browser, for demos, training and tests.

It goes through the same outbox, router and card model as Feishu and DingTalk; only the
transport is local.
"""
