using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>Trains on all given files and turns the fit into a shippable <see cref="ComplexityModel"/>.</summary>
internal static class ModelBuilder
{
    public static ComplexityModel Build(IReadOnlyList<RoutingDataFile> files, FeaturizedPrompts data, TrainerSettings settings, TextWriter log)
    {
        IrtFit fit = IrtTrainer.Train(files, data, Enumerable.Repeat(true, data.Count).ToArray(), null, settings, log);
        throw new NotImplementedException();
    }
}
