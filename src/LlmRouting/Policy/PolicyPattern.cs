namespace LlmRouting;

/// <summary>Case-insensitive matching of policy entries, with <c>*</c> matching any run of characters.</summary>
internal static class PolicyPattern
{
    public static bool Matches(string pattern, string? value)
    {
        if (value is null)
        {
            return false;
        }

        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, value, StringComparison.OrdinalIgnoreCase);
        }

        // Classic greedy wildcard match with backtracking to the last '*'.
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (p < pattern.Length && char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(value[v]))
            {
                p++;
                v++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    public static bool MatchesAny(IList<string> patterns, string? value)
    {
        for (int i = 0; i < patterns.Count; i++)
        {
            if (Matches(patterns[i], value))
            {
                return true;
            }
        }

        return false;
    }
}
