"""The chat platforms baoxiu posts ticket cards to: one module or package each, one list.

Each platform exposes one object (`PLATFORM`) that satisfies `base.Platform`: its name (what
chats write as `platform`), its label, its config section and member id field, and hooks for
the routes, the running edge, members' private chats and `baoxiu doctor`. The app, the chat
planner, the doctor and the config loop over `PLATFORMS` and name none of them; adding one
(WeCom) is its own package and one line here.

Why objects with hooks rather than a table of functions: each hook decides for itself whether
its platform is in use, so the callers' loops have no `if`, and a platform's typed config
(`feishu_config(settings) -> FeishuConfig | None`) never leaves its package as `Any`.

Why the config takes the list as an argument (`config.settings_model(PLATFORMS)`) instead of
importing it: each platform's section is a pydantic model built on `baoxiu.config`, so the
config sits below the platforms and this registry above both, with no import cycle.

A platform package must stay cheap to import (the CLI imports every one): SDKs and edges are
imported by its hooks, when a site that uses it first needs them.
"""

from baoxiu.platforms import dingtalk, feishu, sandbox
from baoxiu.platforms.base import Platform

PLATFORMS: tuple[Platform, ...] = (sandbox.PLATFORM, feishu.PLATFORM, dingtalk.PLATFORM)
"""In the order their edges start and their doctor's checks print."""
