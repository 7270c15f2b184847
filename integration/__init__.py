"""The edges: REST API and resident pages (`web`), the chat platforms (`feishu`, `dingtalk`,
`sandbox`), the outbox worker (`delivery`) and what the platform clients share (`outbound`)."""
