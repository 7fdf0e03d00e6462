namespace LlmRouting;

/// <summary>
/// Enumerates the clusters of a text where number-shaped entities can be: runs of digits joined by single separators
/// (space, dash, dot, slash, brackets) or extension marks, with a leading <c>+</c> or <c>(</c>. Number detectors run their
/// patterns on these short slices only, so letters are never scanned by a regular expression.
/// </summary>
internal ref struct DigitClusters
{
    private readonly ReadOnlySpan<char> _text;
    private readonly bool _skipSingleDigits;
    private int _position;

    /// <summary>Creates the enumerator.</summary>
    /// <param name="text">The text.</param>
    /// <param name="skipSingleDigits">Whether to pass over lone digits that nothing continues (<c>Ab3dEf</c>) instead of
    /// returning them as clusters: the commonest clusters of key-like tokens, and of no use to a number detector.</param>
    public DigitClusters(ReadOnlySpan<char> text, bool skipSingleDigits = false)
    {
        _text = text;
        _skipSingleDigits = skipSingleDigits;
        _position = 0;
        Start = End = Digits = 0;
    }

    /// <summary>Gets the index of the current cluster's first character.</summary>
    public int Start { get; private set; }

    /// <summary>Gets the index just past the current cluster.</summary>
    public int End { get; private set; }

    /// <summary>Gets the number of ASCII digits in the current cluster.</summary>
    public int Digits { get; private set; }

    /// <summary>Gets the current cluster.</summary>
    public readonly ReadOnlySpan<char> Current => _text[Start..End];

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly DigitClusters GetEnumerator() => this;

    /// <summary>Moves to the next cluster.</summary>
    public bool MoveNext()
    {
        ReadOnlySpan<char> text = _text;
        if (_position >= text.Length)
        {
            return false;
        }

        int found, start;
        while (true)
        {
            found = IndexOfDigit(text, _position);
            if (found < 0)
            {
                _position = text.Length;
                return false;
            }

            start = _position + found;

            // A lone digit that nothing can continue (inside a token such as "Ab3dEf") is the commonest cluster: settle it at once.
            if ((start + 1 == text.Length || !CanContinue(text[start + 1])) && (start == _position || text[start - 1] is not ('+' or '(')))
            {
                if (_skipSingleDigits)
                {
                    _position = start + 1;
                    continue;
                }

                Start = start;
                End = start + 1;
                Digits = 1;
                _position = start + 1;
                return true;
            }

            break;
        }

        while (start > _position && text[start - 1] is '+' or '(')
        {
            start--;
        }

        int end = _position + found;
        int digits = 0;
        while (end < text.Length)
        {
            char c = text[end];
            if (char.IsAsciiDigit(c))
            {
                end++;
                digits++;
            }
            else if (c is ' ' or '-' or '.' or '/' or '(' or ')' or 'x' or 'X' or '#' && end + 1 < text.Length
                && (char.IsAsciiDigit(text[end + 1]) || (text[end + 1] is '(' or ' ' or '-' && end + 2 < text.Length && char.IsAsciiDigit(text[end + 2]))))
            {
                end += char.IsAsciiDigit(text[end + 1]) ? 1 : 2;
            }
            else if (c == ')' || (c is 'e' or 'E' && text[end..].StartsWith("ext", StringComparison.OrdinalIgnoreCase)))
            {
                end += c == ')' ? 1 : 3;
                while (end < text.Length && text[end] is '.' or ' ')
                {
                    end++;
                }
            }
            else
            {
                break;
            }
        }

        while (end > start && !char.IsAsciiDigit(text[end - 1]) && text[end - 1] != ')')
        {
            end--;
        }

        Start = start;
        End = end;
        Digits = digits; // the characters trimmed or added at the ends are never digits
        _position = Math.Max(end, _position + found + 1);
        return true;
    }

    /// <summary>Returns the offset of the first ASCII digit at or after <paramref name="from"/>, or -1 (a few characters by hand first: in key-like tokens the next digit is near).</summary>
    private static int IndexOfDigit(ReadOnlySpan<char> text, int from)
    {
        int limit = Math.Min(text.Length, from + 8);
        for (int i = from; i < limit; i++)
        {
            if (char.IsAsciiDigit(text[i]))
            {
                return i - from;
            }
        }

        if (limit == text.Length)
        {
            return -1;
        }

        int found = text[limit..].IndexOfAny(DetectorText.Digits);
        return found < 0 ? -1 : limit - from + found;
    }

    /// <summary>Returns whether <paramref name="c"/>, right after a digit, may belong to the same cluster (see <see cref="MoveNext"/>).</summary>
    private static bool CanContinue(char c) => char.IsAsciiDigit(c) || c is ' ' or '-' or '.' or '/' or '(' or ')' or 'x' or 'X' or '#' or 'e' or 'E';
}
