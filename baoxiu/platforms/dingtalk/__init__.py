"""DingTalk as a platform of baoxiu."""
