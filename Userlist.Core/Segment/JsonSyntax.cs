using System.Text;
using System.Text.Json;

namespace Userlist.Core.Segment;

/// <summary>What is wrong with text that is not JSON, in plain words, for someone typing a call by hand.</summary>
public static class JsonSyntax
{
    /// <summary>
    /// The parser's complaint said plainly, with the line and column (both from 1, in characters)
    /// where the parser stopped; the parser's own wording (reader options, byte offsets) is not shown.
    /// </summary>
    public static string Describe(string json, JsonException exception)
    {
        var parser = exception.Message;
        string? near = null;
        var position = "";
        if (exception.LineNumber is { } line && exception.BytePositionInLine is { } bytes)
        {
            var lineText = json.Split('\n') is var lines && line < lines.Length ? lines[line] : "";
            var lineBytes = Encoding.UTF8.GetBytes(lineText);
            var column = Encoding.UTF8.GetCharCount(lineBytes, 0, (int)Math.Min(bytes, lineBytes.Length));
            if (column < lineText.Length && IsWordCharacter(lineText[column]))
            {
                // The parser stops inside a bare word (at the a of track): point at the whole word.
                while (column > 0 && IsWordCharacter(lineText[column - 1]))
                {
                    column--;
                }

                var end = column;
                while (end < lineText.Length && IsWordCharacter(lineText[end]))
                {
                    end++;
                }

                near = lineText[column..end];
            }
            else
            {
                near = column < lineText.Length && !char.IsWhiteSpace(lineText[column]) ? lineText[column].ToString() : null;
            }

            position = $" (line {line + 1}, column {column + 1})";
        }

        var what = parser switch
        {
            _ when Has(parser, "trailing comma") => "There is a comma before a closing } or ]: remove it.",
            _ when Has(parser, "duplicate") => "A property name appears twice in the same object.",
            _ when Has(parser, "comment") => "JSON does not allow comments.",
            _ when Has(parser, "expected depth to be zero") || Has(parser, "end of data") || Has(parser, "does not contain any json tokens")
                => "The JSON ends too early: a {, [ or \" is not closed.",
            _ when near == "'" => "Strings and property names take double quotes (\"), not single quotes.",
            _ when Has(parser, "property name") => $"Expected a property name in double quotes{Near(near)}.",
            _ when Has(parser, "after a property name") => $"Expected a : after the property name{Near(near)}.",
            _ when Has(parser, "after a value") || Has(parser, "after a single json value")
                => $"Expected a comma or a closing }} or ]{Near(near)}.",
            _ when Has(parser, "invalid within a json string") || Has(parser, "control character")
                => "A string contains a line break or tab: write it as \\n or \\t.",
            _ when Has(parser, "invalid start of a value") || Has(parser, "literal")
                => $"Expected a value{Near(near)}: text in double quotes, a number, true, false, null, an object or an array.",
            _ => "This is not valid JSON.",
        };
        return what.EndsWith('.') ? $"{what[..^1]}{position}." : $"{what}{position}";
    }

    private static bool IsWordCharacter(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '+';

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    private static string Near(string? character) => character is null ? "" : $", not {character}";
}
