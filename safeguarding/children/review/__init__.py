"""The linkage officer's review of possible links, merges, splits and undo, at /linkage/."""
