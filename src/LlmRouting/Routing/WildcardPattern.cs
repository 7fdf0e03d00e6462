namespace LlmRouting;

/// <summary>
/// Case-insensitive matching with <c>*</c> for any run of characters (no other special characters), for every allow/deny
/// list of the router and the data policy (deployments, providers, models, regions).
/// </summary>
internal static class WildcardPattern
{
    public static bool IsMatch(string pattern, string? value)
    {
        if (value is null)
        {
            return false;
        }

        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, value, StringComparison.OrdinalIgnoreCase);
        }

        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(value[v]))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
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

    public static bool Any(IEnumerable<string> patterns, string? value)
    {
        if (patterns is IList<string> list)
        {
            // Indexed: configuration lists are lists, and this runs per candidate per request.
            for (int i = 0; i < list.Count; i++)
            {
                if (IsMatch(list[i], value))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (string pattern in patterns)
        {
            if (IsMatch(pattern, value))
            {
                return true;
            }
        }

        return false;
    }
}
