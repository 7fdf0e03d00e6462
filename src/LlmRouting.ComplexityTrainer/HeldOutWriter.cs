using System.Text.Encodings.Web;
using System.Text.Json;
using LlmRouting.Eval.Routing;

namespace LlmRouting.ComplexityTrainer;

/// <summary>Writes the dev prompts left out of training in the routing data format, as fixtures for the model's held-out tests.</summary>
internal static class HeldOutWriter
{
    public static void Write(IReadOnlyList<RoutingDataFile> files, int percent, string directory, TextWriter log)
    {
        Directory.CreateDirectory(directory);
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (RoutingDataFile file in files)
        {
            string name = Path.GetFileName(file.Path).Replace("_dev.jsonl", "_heldout.jsonl", StringComparison.Ordinal);
            string path = Path.Combine(directory, name);
            int count = 0;
            using (FileStream stream = File.Create(path))
            {
                foreach (RoutingPrompt prompt in file.Prompts.Where(p => ModelBuilder.IsHeldOut(p.Id, percent)))
                {
                    using (var json = new Utf8JsonWriter(stream, options))
                    {
                        json.WriteStartObject();
                        json.WriteString("id", prompt.Id);
                        json.WriteString("source_benchmark", prompt.Source);
                        json.WriteString("prompt", prompt.Prompt);
                        json.WriteStartObject("models");
                        for (int m = 0; m < file.Models.Count; m++)
                        {
                            json.WriteStartObject(file.Models[m]);
                            json.WriteNumber("quality", prompt.Quality[m]);
                            json.WriteNumber("cost_usd", prompt.CostUsd[m]);
                            json.WriteEndObject();
                        }

                        json.WriteEndObject();
                        json.WriteEndObject();
                    }

                    stream.WriteByte((byte)'\n');
                    count++;
                }
            }

            log.WriteLine($"wrote {count} held-out prompts to {path}");
        }
    }
}
