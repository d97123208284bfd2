"""The WeCom callback receiver: verifies, stores durably, answers 200, then processes."""
