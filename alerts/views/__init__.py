"""The request pages: inbox (receiving agencies), dissuasion tasks, the centre's board, the
request page with its moves, the case page's panel, deadline settings and return proposals."""
