"""The MDMs known by name: their facts as data (`presets`), the answers each takes
(`answers`), a document or redirect judged against one (`judgement`), the MDM recognised
from a URL (`recognition`), and what the generators get from one (`artifact_inputs`)."""
