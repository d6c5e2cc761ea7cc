"""The indexes and their lifecycle: records, keyword and vector indexes, generations, builds."""
