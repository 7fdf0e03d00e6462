namespace LlmRouting;

/// <summary>
/// Shape tests of short number-like values (dates, SSN groupings, dotted numbers, North American numbers) written out by hand:
/// on a handful of characters a regular expression costs more to start than to run. Each test is documented with the pattern
/// it replaces and gives the same answer; a digit is a Unicode decimal digit, as <c>\d</c> in a .NET regular expression.
/// </summary>
internal static class NumberShape
{
    private const int MaxGroups = 4;

    /// <summary><c>^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2}))$</c>: a numeric date.</summary>
    public static bool IsDate(ReadOnlySpan<char> value)
    {
        Span<int> length = stackalloc int[MaxGroups];
        Span<char> separator = stackalloc char[MaxGroups - 1];
        return IsDate(Groups(value, length, separator), length, separator);
    }

    /// <summary><c>^\d{4}-\d{2}-\d{2}</c>: starts with an ISO date.</summary>
    public static bool StartsWithIsoDate(ReadOnlySpan<char> value) =>
        value.Length >= 10 && value[4] == '-' && value[7] == '-' && IsDigits(value[..4]) && IsDigits(value[5..7]) && IsDigits(value[8..10]);

    /// <summary><c>^\d{3}([- .])\d{2}\1\d{4}$|^\d{5}-\d{3,4}$</c>: an SSN grouping or a ZIP+4 code.</summary>
    public static bool IsSsnOrZipShape(ReadOnlySpan<char> value)
    {
        Span<int> length = stackalloc int[MaxGroups];
        Span<char> separator = stackalloc char[MaxGroups - 1];
        return IsSsnOrZipShape(Groups(value, length, separator), length, separator);
    }

    /// <summary><c>^(?:\d{1,3}\.){3}\d{1,3}$|^\d+\.\d+$|^\d{1,3}(?:\.\d{1,3}){1,2}$</c>: an IPv4 address, a decimal or a version.</summary>
    public static bool IsDotted(ReadOnlySpan<char> value)
    {
        Span<int> length = stackalloc int[MaxGroups];
        Span<char> separator = stackalloc char[MaxGroups - 1];
        return IsDotted(Groups(value, length, separator), length, separator);
    }

    /// <summary>
    /// <c><see cref="IsDate(ReadOnlySpan{char})"/> || <see cref="IsSsnOrZipShape(ReadOnlySpan{char})"/> ||
    /// <see cref="IsDotted(ReadOnlySpan{char})"/></c>, splitting the value into groups once (the phone detector's look-alikes).
    /// </summary>
    public static bool IsDateSsnZipOrDotted(ReadOnlySpan<char> value)
    {
        Span<int> length = stackalloc int[MaxGroups];
        Span<char> separator = stackalloc char[MaxGroups - 1];
        int groups = Groups(value, length, separator);
        return IsDate(groups, length, separator) || IsSsnOrZipShape(groups, length, separator) || IsDotted(groups, length, separator);
    }

    private static bool IsDate(int groups, ReadOnlySpan<int> length, ReadOnlySpan<char> separator) =>
        groups == 3 && separator[0] is '-' or '.' or '/' && separator[1] is '-' or '.' or '/'
        && ((length[0] == 4 && length[1] <= 2 && length[2] <= 2) || (length[0] <= 2 && length[1] <= 2 && length[2] is 2 or 4));

    private static bool IsSsnOrZipShape(int groups, ReadOnlySpan<int> length, ReadOnlySpan<char> separator) => groups switch
    {
        3 => length[0] == 3 && length[1] == 2 && length[2] == 4 && separator[0] is '-' or ' ' or '.' && separator[1] == separator[0],
        2 => length[0] == 5 && separator[0] == '-' && length[1] is 3 or 4,
        _ => false,
    };

    private static bool IsDotted(int groups, ReadOnlySpan<int> length, ReadOnlySpan<char> separator) =>
        groups >= 2 && !separator[..(groups - 1)].ContainsAnyExcept('.')
        && (groups == 2 || (length[0] <= 3 && length[1] <= 3 && length[2] <= 3 && (groups == 3 || length[3] <= 3)));

    /// <summary><c>^(?:\+?1[ .-]?)?\(\d{3}\) ?\d{3}[-.]\d{4}$</c>: a North American number with the area code in brackets.</summary>
    public static bool IsBracketedNanp(ReadOnlySpan<char> value)
    {
        int i = 0;
        if (value.Length > 0 && value[0] != '(')
        {
            i = value[0] == '+' ? 1 : 0;
            if (i >= value.Length || value[i] != '1')
            {
                return false;
            }

            i++;
            if (i < value.Length && value[i] is ' ' or '.' or '-')
            {
                i++;
            }
        }

        ReadOnlySpan<char> rest = value[i..];
        if (rest.Length > 0 && rest[0] == '(' && rest.Length > 5 && rest[4] == ')' && IsDigits(rest.Slice(1, 3)))
        {
            rest = rest[5..];
            if (rest.Length > 0 && rest[0] == ' ')
            {
                rest = rest[1..];
            }

            return rest.Length == 8 && rest[3] is '-' or '.' && IsDigits(rest[..3]) && IsDigits(rest[4..]);
        }

        return false;
    }

    /// <summary>
    /// Splits <paramref name="value"/> into groups of digits joined by single non-digit characters. Returns the number of
    /// groups, or -1 when the value is empty, starts or ends with a non-digit, has two non-digits in a row, or has more groups
    /// than <paramref name="lengths"/> holds.
    /// </summary>
    private static int Groups(ReadOnlySpan<char> value, Span<int> lengths, Span<char> separators)
    {
        int count = 0, i = 0;
        while (true)
        {
            int start = i;
            while (i < value.Length && char.IsDigit(value[i]))
            {
                i++;
            }

            if (i == start || count == lengths.Length)
            {
                return -1;
            }

            lengths[count++] = i - start;
            if (i == value.Length)
            {
                return count;
            }

            if (count > separators.Length)
            {
                return -1;
            }

            separators[count - 1] = value[i++];
        }
    }

    private static bool IsDigits(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (!char.IsDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
