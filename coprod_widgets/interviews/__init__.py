"""Interview evidence: transcripts coded against the learning points, and how far two coders agree."""
