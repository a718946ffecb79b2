package dev.kiln.processor.layers;

import dev.kiln.processor.model.StepRule;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.Embedding;
import dev.kiln.annotations.Initializer;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Parameter;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/**
 * {@code @Embedding}: each input value is a token id (an integer stored as a float) and becomes its
 * row of the [inputDim, outputDim] table (saved as PyTorch's {@code weight}, same layout); an input
 * of shape S gives S + (outputDim). Backward adds each position's gradient into its id's row; the
 * gradient with respect to the ids is zero (a lookup is piecewise constant in them).
 */
public record EmbeddingLayer(
    String name, Site site, List<String> inputs, int inputDim, int outputDim, Initializer init, boolean trainable)
    implements LayerSpec {
  @Override
  public StepRule stepRule() {
    return StepRule.PER_POSITION; // one row per id
  }

  public EmbeddingLayer {
    inputs = List.copyOf(inputs);
  }

  static EmbeddingLayer read(LayerDeclaration d) {
    Embedding a = d.annotation(Embedding.class);
    return new EmbeddingLayer(d.name(), d.site(), d.inputs(), a.inputDim(), a.outputDim(), a.init(), a.trainable());
  }

  @Override
  public String typeName() {
    return "Embedding";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    if (inputDim <= 0) {
      diagnostics.error(site, "inputDim", Message.EMBEDDING_DIM, "inputDim", inputDim);
    }
    if (outputDim <= 0) {
      diagnostics.error(site, "outputDim", Message.EMBEDDING_DIM, "outputDim", outputDim);
    }
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    int[] dims = in.get(0).toArray();
    int[] out = java.util.Arrays.copyOf(dims, dims.length + 1);
    out[dims.length] = outputDim;
    return Shape.of(out);
  }

  @Override
  public List<Parameter> parameters(List<Shape> in) {
    return List.of(new Parameter("weight", Shape.of(inputDim, outputDim), new int[] {0, 1}, trainable, init, 0,
        inputDim, outputDim, 0, 0));
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      private String rows(LayerContext layer) {
        return "n * " + layer.inShape(0).size();
      }

      @Override
      public CodeBlock forward(LayerContext layer) {
        return CodeBlock.of("$T.lookup($S, $L, $L, $L, $L, $L, params, $L, $L);\n", RuntimeNames.EMBEDDINGS, name, rows(layer),
            layer.inShape(0).size(), inputDim, outputDim, layer.in(0), layer.offset("weight"), layer.out());
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        CodeBlock.Builder code = CodeBlock.builder();
        code.add(layer.parameterGradients(CodeBlock.of("$T.scatterAdd($L, $L, $L, $L, $L, grads, $L);\n", RuntimeNames.EMBEDDINGS,
            rows(layer), inputDim, outputDim, layer.in(0), layer.grad(), layer.offset("weight"))));
        code.add(layer.inputGradient(0, target -> CodeBlock.of(
            "java.util.Arrays.fill($L, 0, $L, 0f); // token ids are not differentiable\n", target, rows(layer))));
        return code.build();
      }
    };
  }
}
