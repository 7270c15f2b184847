"""The chat platforms baoxiu posts ticket cards to, one package or module each."""
