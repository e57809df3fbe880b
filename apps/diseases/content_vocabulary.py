"""The words and patterns behind the content check's rule (see content_check)."""

import re

# Stems, matched case-insensitively at the start of a word (see _stem_pattern);
# the acronyms after them match whole and in capitals only.
MEDICAL_STEMS = (
    "amyotroph",
    "sclerosis",
    "parkinson",
    "motor neuron",
    "neuron",
    "neurone",
    "disease",
    "symptom",
    "diagnos",
    "muscle",
    "nerve",
    "brain",
    "spinal",
    "brainstem",
    "breath",
    "lung",
    "swallow",
    "choking",
    "choke",
    "saliva",
    "drool",
    "speech",
    "speak",
    "voice",
    "weak",
    "weakness",
    "weaker",
    "stiff",
    "cramp",
    "twitch",
    "spastic",
    "tremor",
    "balance",
    "numb",
    "numbness",
    "pain",
    "painful",
    "tired",
    "sleep",
    "headache",
    "fatigue",
    "dementia",
    "thinking",
    "behavio",
    "memory",
    "mood",
    "depress",
    "anxiety",
    "anxious",
    "laugh",
    "crying",
    "gene",
    "genetic",
    "inherit",
    "familial",
    "test",
    "testing",
    "scan",
    "blood",
    "biopsy",
    "treat",
    "therap",
    "medicine",
    "medication",
    "drug",
    "riluzole",
    "edaravone",
    "tofersen",
    "steroid",
    "relapse",
    "remission",
    "progress",
    "surviv",
    "lifespan",
    "life expectancy",
    "die",
    "death",
    "dying",
    "trial",
    "ventilat",
    "oxygen",
    "feeding tube",
    "gastrostomy",
    "tracheostomy",
    "hospice",
    "palliative",
    "pneumonia",
    "infection",
    "vaccin",
    "flu",
    "covid",
    "disability",
    "disabled",
    "benefit",
    "insurance",
    "medicare",
    "medicaid",
    "social security",
    "veteran",
    "clinic",
    "neurologist",
    "therapist",
    "dietitian",
    "nutrition",
    "weight",
    "immune",
    "myelin",
    "dopamine",
    "wheelchair",
    "brace",
    "splint",
    "orthotist",
    "respite",
    "caregiver",
    "carer",
    "advance directive",
    "power of attorney",
    "polst",
    "resuscitat",
)
MEDICAL_ACRONYMS = (
    "ALS",
    "MND",
    "MS",
    "FTD",
    "NIV",
    "BiPAP",
    "PEG",
    "RIG",
    "EMG",
    "MRI",
    "DMT",
    "DMTs",
    "AAC",
    "PBA",
    "SSDI",
    "SSI",
    "SSA",
    "VA",
    "FMLA",
    "ADA",
    "FVC",
    "SOD1",
    "C9orf72",
    "FUS",
    "TARDBP",
    "CPR",
    "DNR",
)


def _stem_pattern(stem: str) -> str:
    # Short stems would match unrelated words ("numb" in "numbers"), so they
    # match whole words only; longer ones also match their endings.
    if len(stem) >= 5:
        return re.escape(stem) + r"\w*"
    return re.escape(stem) + r"(?:s|es)?\b"


MEDICAL_WORDS = re.compile(
    r"(?i:\b(?:" + "|".join(_stem_pattern(stem) for stem in MEDICAL_STEMS) + r"))"
    r"|\b(?:" + "|".join(re.escape(word) for word in MEDICAL_ACRONYMS) + r")\b"
)
FIGURES = re.compile(
    r"\d|(?i:\b(?:half|a third|a quarter|one in|most people|most of)\b)"
)
# Words that may sit beside a link in a line that only points elsewhere.
NAVIGATION = re.compile(
    r"(?i:\b(?:see|read|our|page|pages|on|about|more|also|the|for|in|and|"
    r"you|can|this|these|points|side|by|table)\b)"
)
# Names and numbers that mention a disease or a figure without stating a fact.
NOT_CLAIMS = re.compile(
    r"(?:ALS Association|National MS Society|MS Society|MND Association|"
    r"Parkinson's Foundation|Muscular Dystrophy Association|\bMDA\b|"
    r"\b988\b|\b1-\d{3}-[\dA-Z]{3}-[\dA-Z]{4}\b)"
)
# Verbs that send the reader to someone or something, and state no fact.
PROMPTS = frozenset(
    {
        "ask",
        "call",
        "talk",
        "tell",
        "say",
        "write",
        "keep",
        "see",
        "read",
        "look",
        "find",
        "bring",
        "share",
        "please",
        "remember",
        "note",
        "contact",
        "reach",
        "visit",
        "come",
    }
)
SENTENCE_END = re.compile(r"(?<=[.!])\s+")
LEADING_CLAUSE = re.compile(r"^(?i:if|when|before|between|while)\b[^,]*,\s*")
