"""Data contracts of every source, and the Pandera schemas built from them."""
