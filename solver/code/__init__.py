"""Program text: extraction from completions, normalisation and dedup keys, the C++ lexer."""
