"""The ground floor of mlplab's files: ``atomic`` writes and the safetensors + JSON ``envelope``."""
