namespace Sluice.Models.Templating;

/// <summary>A template's text with its file name; maps offsets to 1-based line and column for error messages.</summary>
internal sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(string file, string text)
    {
        File = file;
        Text = text;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }
        _lineStarts = [.. starts];
    }

    public string File { get; }

    public string Text { get; }

    /// <summary>1-based line and column of <paramref name="offset"/> (0 ≤ offset ≤ length).</summary>
    public (int Line, int Column) Position(int offset)
    {
        var index = Array.BinarySearch(_lineStarts, offset);
        if (index < 0)
        {
            index = ~index - 1;
        }
        return (index + 1, offset - _lineStarts[index] + 1);
    }

    public TemplateException Error(int offset, string reason, Exception? inner = null)
    {
        var (line, column) = Position(offset);
        return new TemplateException(File, line, column, reason, inner);
    }
}
