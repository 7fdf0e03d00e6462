using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmRouting.Tests.Redaction.Detectors;

/// <summary>
/// The hand-written checks that replaced regular expressions and string searches for speed must give the same answers as
/// what they replaced: each is compared with the original on curated cases and on many random strings.
/// </summary>
[TestFixture]
public class HandWrittenShapeTests
{
    private const string NumberAlphabet = "0123456789012345-./ ()+1x\u0663\u096B";

    private static readonly (string Name, Func<string, bool> Check, Regex Pattern)[] s_shapes =
    [
        ("IsDate", v => NumberShape.IsDate(v), new Regex(@"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2}))$", RegexOptions.CultureInvariant)),
        ("StartsWithIsoDate", v => NumberShape.StartsWithIsoDate(v), new Regex(@"^\d{4}-\d{2}-\d{2}", RegexOptions.CultureInvariant)),
        ("IsSsnOrZipShape", v => NumberShape.IsSsnOrZipShape(v), new Regex(@"^\d{3}([- .])\d{2}\1\d{4}$|^\d{5}-\d{3,4}$", RegexOptions.CultureInvariant)),
        ("IsDotted", v => NumberShape.IsDotted(v), new Regex(@"^(?:\d{1,3}\.){3}\d{1,3}$|^\d+\.\d+$|^\d{1,3}(?:\.\d{1,3}){1,2}$", RegexOptions.CultureInvariant)),
        ("IsDateSsnZipOrDotted", v => NumberShape.IsDateSsnZipOrDotted(v), new Regex(@"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2}))$|^\d{3}([- .])\d{2}\1\d{4}$|^\d{5}-\d{3,4}$|^(?:\d{1,3}\.){3}\d{1,3}$|^\d+\.\d+$|^\d{1,3}(?:\.\d{1,3}){1,2}$", RegexOptions.CultureInvariant)),
        ("IsBracketedNanp", v => NumberShape.IsBracketedNanp(v), new Regex(@"^(?:\+?1[ .-]?)?\(\d{3}\) ?\d{3}[-.]\d{4}$", RegexOptions.CultureInvariant)),
    ];

    private static IEnumerable<string> ShapeNames => s_shapes.Select(s => s.Name);

    [Test]
    public void The_secret_detectors_key_character_mask_is_its_character_set()
    {
        SearchValues<char> keyChars = SecretRule.Chars("A-Za-z0-9_.+/~-");
        for (int c = 0; c <= char.MaxValue; c++)
        {
            if (SecretDetector.IsKeyTokenChar((char)c) != keyChars.Contains((char)c))
            {
                Assert.Fail($"IsKeyTokenChar(U+{c:X4}) = {SecretDetector.IsKeyTokenChar((char)c)}");
            }
        }
    }

    [Test]
    public void Number_shapes_agree_with_their_patterns_on_curated_values([ValueSource(nameof(ShapeNames))] string name)
    {
        (_, Func<string, bool> check, Regex pattern) = s_shapes.Single(s => s.Name == name);
        string[] values =
        [
            "", "1", "2024-05-02", "2024-5-2", "05/02/2024", "5.2.24", "2024-05-02T10", "2024/05/02", "12-34-5678", "123-45-6789",
            "123 45 6789", "123.45.6789", "123-45 6789", "12345-6789", "12345-678", "12345-67", "10.0.0.1", "1.5", "3.14159",
            "1.2.3", "1234.5.6", "1.2.3.4.5", "(415) 555-0199", "(415)555-0199", "+1 (415) 555-0199", "1-(415) 555.0199",
            "+(415) 555-0199", "1(415) 555-0199", "(415) 555 0199", "\u0663\u0663\u0663-45-6789", "2024--05-02", "-2024-05-02",
        ];
        foreach (string value in values)
        {
            Assert.That(check(value), Is.EqualTo(pattern.IsMatch(value)), $"{name}(\"{value}\")");
        }
    }

    [Test]
    public void Number_shapes_agree_with_their_patterns_on_random_values([ValueSource(nameof(ShapeNames))] string name)
    {
        (_, Func<string, bool> check, Regex pattern) = s_shapes.Single(s => s.Name == name);
        var random = new Random(20261124);
        int matched = 0;
        for (int n = 0; n < 200_000; n++)
        {
            string value = RandomShape(random);
            bool expected = pattern.IsMatch(value);
            matched += expected ? 1 : 0;
            Assert.That(check(value), Is.EqualTo(expected), $"{name}(\"{value}\")");
        }

        Assert.That(matched, Is.GreaterThan(20), "the random values must exercise the matching side too");
    }

    [Test]
    public void Key_name_anchors_find_what_a_string_search_finds()
    {
        string[] anchors = ["password", "pwd", "api_key", "key", "secret", "token", "auth", "x-api-key", "ss"];
        var anchorSet = new KeyNameAnchors(anchors);
        SearchValues<string> reference = SearchValues.Create(anchors, StringComparison.OrdinalIgnoreCase);
        string[] names = ["", "k", "ke", "KEY", "OPENAI_API_KEY", "db_Password", "monkey", "x-Api-Key", "\u017Fecret", "PA\u017F\u017F", "aws_secret_access", "tok", "Authorization", "keY_ID"];
        foreach (string name in names)
        {
            Assert.That(anchorSet.IndexIn(name), Is.EqualTo(name.AsSpan().IndexOfAny(reference)), name);
        }

        var random = new Random(7);
        const string alphabet = "keyKEYpasswordPWDapiAPI_-.tokenTOKENsecrtSECRTxXauthAUTH0129\u017F\u0130\u212A";
        foreach (string name in RewriteComparison.RandomStrings(random, alphabet, 0, 16, 100_000))
        {
            Assert.That(anchorSet.IndexIn(name), Is.EqualTo(name.AsSpan().IndexOfAny(reference)), name);
        }
    }

    [Test]
    public void The_card_scanner_finds_what_the_card_pattern_finds()
    {
        var pattern = new Regex(@"(?<![\w-])\d(?:[ -]?\d){11,18}(?![\w-])", RegexOptions.CultureInvariant);
        string[] windows =
        [
            "4111 1111 1111 1111", " 4111-1111-1111-1111-", "x4111111111111111", "4111 1111 1111 1111 2222", "12345678901234567890123",
            "-411111111111111", "4111 1111 1111 1111 x", "4111  1111 1111 1111", "a 5500 0000 0000 0004, b", "\u0663411111111111111",
            "41111111111111\u0663", "4111111111111 4111111111111", "_4111111111111", "4111111111111_",
        ];
        var random = new Random(11);
        const string alphabet = "0123456789012345678901234567890123456789  --x_.\u0663";
        IEnumerable<string> all = windows.Concat(RewriteComparison.RandomStrings(random, alphabet, 10, 30, 100_000));
        int matched = RewriteComparison.Compare(pattern, CreditCardDetector.NextCandidate, all);
        Assert.That(matched, Is.GreaterThan(1000), "the random windows must exercise the matching side too");
    }

    [Test]
    public void The_phone_cluster_filter_passes_every_cluster_where_a_candidate_starts()
    {
        Regex pattern = PhoneNumberDetector.CandidatePattern();
        string[] texts =
        [
            "xoxb-123456789012-1234567890123-Ab", "call +44 20 7946 0958 now", "(415) 555-0199", "a/2125550147", "id=2125550147",
            "tel:2125550147", "#2125550147", "x.2125550147", "\u00E92125550147", "\u06632125550147", "2125550147", "1234-5678 90",
        ];
        var random = new Random(17);
        const string alphabet = "0123456789012345678901234567890123456789  --..//()++x#:=@_a\u00E9\u0663";
        IEnumerable<string> all = texts.Concat(RewriteComparison.RandomStrings(random, alphabet, 8, 30, 50_000));
        int kept = 0, skipped = 0;
        foreach (string text in all)
        {
            using TextProfile profile = TextProfile.Of(text);
            foreach (DigitCluster cluster in profile.Clusters)
            {
                (int from, int to) = cluster.Window(text.Length);
                ReadOnlySpan<char> window = text.AsSpan(from, to - from);
                bool starts = false;
                foreach (ValueMatch m in pattern.EnumerateMatches(window))
                {
                    starts |= from + m.Index >= cluster.Start;
                }

                bool passed = PhoneNumberDetector.MayStartCandidate(window, text.AsSpan(cluster.Start, cluster.End - cluster.Start));
                Assert.That(passed || !starts, Is.True, $"{text} [{cluster.Start},{cluster.End}) window [{from},{to}) {string.Join(",", pattern.Matches(window.ToString()).Select(x => $"{x.Index}:{x.Value}"))}");
                (passed ? ref kept : ref skipped)++;
            }
        }

        Assert.That(skipped, Is.GreaterThan(1000), "the filter must rule some clusters out");
        Assert.That(kept, Is.GreaterThan(1000));
    }

    [Test]
    public void The_dl_word_search_finds_what_the_dl_pattern_finds()
    {
        var pattern = new Regex(@"\bD\.?L\b", RegexOptions.CultureInvariant);
        string[] texts =
        [
            "", "DL", "D.L", "DL#123", "my DL: X1234", "D.L.", "DDL", "D.DL", "xDL", "DLx", "_DL", "DL_", "D..L", "dl", "D L", "(D.L)",
            "\u00E9DL", "DL\u00E9", "\u200DDL", "DL\u200C", "D.L\u0301", "\u0663DL", "DL\u0663", "AD.L D.LX DL,DL", "D", "D.",
        ];
        var random = new Random(13);
        const string alphabet = "DDDDLLLL..  xd_-1\u00E9\u200D\u0301\u0663#";
        IEnumerable<string> all = texts.Concat(RewriteComparison.RandomStrings(random, alphabet, 0, 14, 100_000));
        int matched = RewriteComparison.Compare(pattern, NextDlWord, all);

        Assert.That(matched, Is.GreaterThan(1000), "the random texts must exercise the matching side too");
        Assert.That(IdentityDocumentDetector.DlWordPattern().ToString(), Is.EqualTo(pattern.ToString()), "the detector's pattern");

        static bool NextDlWord(ReadOnlySpan<char> text, ref int position, out ValueMatchAt match)
        {
            int at = IdentityDocumentDetector.IndexOfDlWord(text, position, out int length);
            match = at < 0 ? default : new ValueMatchAt(at, length);
            position = at < 0 ? text.Length : at + length;
            return at >= 0;
        }
    }

    [TestCase("x")]
    [TestCase("\u00E9t\u00E9")]
    public void Key_name_anchors_must_be_ascii_and_two_characters_long(string anchor) =>
        Assert.That(() => new KeyNameAnchors([anchor]), Throws.ArgumentException);

    private static string RandomShape(Random random)
    {
        // Mostly digit groups joined by separators, sometimes with a NANP prefix or random characters; a fifth are bracketed
        // North American numbers, half of them with one character changed.
        var chars = new List<char>();
        if (random.Next(5) == 0)
        {
            string prefix = random.Next(4) switch { 0 => "", 1 => "+1 ", 2 => "1-", _ => "+1" };
            chars.AddRange($"{prefix}({random.Next(100, 1000)}){(random.Next(2) == 0 ? " " : "")}{random.Next(100, 1000)}{"-."[random.Next(2)]}{random.Next(1000, 10000)}");
            if (random.Next(2) == 0)
            {
                chars[random.Next(chars.Count)] = NumberAlphabet[random.Next(NumberAlphabet.Length)];
            }

            return new string(chars.ToArray());
        }

        if (random.Next(4) == 0)
        {
            chars.AddRange(random.Next(3) switch { 0 => "+1 ", 1 => "1-", _ => "(" });
        }

        int groups = random.Next(1, 6);
        for (int g = 0; g < groups; g++)
        {
            if (random.Next(8) == 0)
            {
                chars.Add('(');
            }

            int length = random.Next(1, 6);
            for (int i = 0; i < length; i++)
            {
                chars.Add(random.Next(30) == 0 ? NumberAlphabet[random.Next(NumberAlphabet.Length)] : (char)('0' + random.Next(10)));
            }

            if (random.Next(8) == 0)
            {
                chars.Add(')');
            }

            if (g < groups - 1 || random.Next(10) == 0)
            {
                chars.Add("-./ "[random.Next(4)]);
                if (random.Next(10) == 0)
                {
                    chars.Add(' ');
                }
            }
        }

        return new string(chars.ToArray());
    }
}
