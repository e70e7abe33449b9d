project = "rtp-snippets Sphinx example"
extensions = ["rtp_snippets.integrations.sphinx"]
rtp_snippets_rules = "rtp-rules.yml"
html_theme = "basic"
