"""Survey evidence: the exports evaluators receive from KoboToolbox or ODK, REDCap, Microsoft Forms, Google
Forms and SurveyMonkey, read as they come, kept response by response and tied to the learning points."""
