project = "rtp-snippets headings fixture"
html_theme = "furo"
