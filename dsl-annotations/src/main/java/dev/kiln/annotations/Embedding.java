package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A lookup table of {@code inputDim} vectors of {@code outputDim} values (Keras's {@code Embedding},
 * PyTorch's {@code nn.Embedding}): each value of the input is a token id, an integer in [0,
 * inputDim) stored as a float, and becomes its row of the table, so [T] ids give [T, outputDim]. An
 * id that is not such an integer is an {@code IllegalArgumentException} at run time. The table is
 * saved as PyTorch's {@code weight} [inputDim, outputDim]; backward adds each position's gradient
 * into its id's row. Ids are not differentiable: the gradient with respect to them is zero.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Embedding {
  /** {@return the number of token ids (vocabulary size), > 0} */
  int inputDim();

  /** {@return the values per token, > 0} */
  int outputDim();

  /**
   * {@return how the table starts: Keras's default, uniform in [-0.05, 0.05) (PyTorch draws N(0,
   * 1))}
   */
  Initializer init() default Initializer.UNIFORM;

  /** {@return false to freeze the table} */
  boolean trainable() default true;
}
