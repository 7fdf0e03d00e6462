using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>Prompts of the training files as sparse feature rows (hashed buckets with values 1/sqrt(count)) plus dense features.</summary>
internal sealed class FeaturizedPrompts
{
    private FeaturizedPrompts(int hashBits, int[] rowStart, int[] columns, float[] values, float[] dense, int[] dataSet, int[] row)
    {
        HashBits = hashBits;
        RowStart = rowStart;
        Columns = columns;
        Values = values;
        Dense = dense;
        DataSet = dataSet;
        Row = row;
    }

    public int HashBits { get; }

    public int Count => DataSet.Length;

    /// <summary>CSR row offsets (Count + 1).</summary>
    public int[] RowStart { get; }

    public int[] Columns { get; }

    public float[] Values { get; }

    /// <summary>Dense features, <see cref="ComplexityFeatureLayout.DenseCount"/> per prompt.</summary>
    public float[] Dense { get; }

    /// <summary>The data set (file) index of each prompt.</summary>
    public int[] DataSet { get; }

    /// <summary>The prompt's index within its file.</summary>
    public int[] Row { get; }

    public static FeaturizedPrompts Create(IReadOnlyList<RoutingDataFile> files, int hashBits)
    {
        var rowStart = new List<int> { 0 };
        var columns = new List<int>();
        var values = new List<float>();
        var dense = new List<float>();
        var dataSet = new List<int>();
        var row = new List<int>();
        var buffer = new float[ComplexityFeatureLayout.DenseCount];
        var buckets = new List<int>();
        for (int f = 0; f < files.Count; f++)
        {
            for (int r = 0; r < files[f].Prompts.Count; r++)
            {
                buckets.Clear();
                var extractor = new ComplexityFeatureExtractor<CollectingSink>(hashBits, new CollectingSink(buckets));
                extractor.Append(files[f].Prompts[r].Prompt);
                int count = extractor.Complete(buffer);
                buckets.Sort();
                float scale = count == 0 ? 0f : 1f / MathF.Sqrt(count);
                for (int i = 0; i < buckets.Count;)
                {
                    int j = i;
                    while (j < buckets.Count && buckets[j] == buckets[i])
                    {
                        j++;
                    }

                    columns.Add(buckets[i]);
                    values.Add((j - i) * scale);
                    i = j;
                }

                rowStart.Add(columns.Count);
                dense.AddRange(buffer);
                dataSet.Add(f);
                row.Add(r);
            }
        }

        return new FeaturizedPrompts(hashBits, [.. rowStart], [.. columns], [.. values], [.. dense], [.. dataSet], [.. row]);
    }

    private readonly struct CollectingSink(List<int> buckets) : IHashedFeatureSink
    {
        public void Add(int bucket) => buckets.Add(bucket);
    }
}
