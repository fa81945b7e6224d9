"""Finding one person across Cyrillic and Latin spellings, typos and partial dates."""
