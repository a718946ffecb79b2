package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Layer normalization: each sample is normalized over its own features (mean and biased
 * variance), then scaled by gamma and shifted by beta. Independent of the batch, identical in
 * training and inference.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface LayerNorm {
  /** {@return the epsilon added to the variance, > 0} Keras's default 1e-3 (PyTorch's is 1e-5). */
  double epsilon() default 1e-3;

  /** {@return whether to learn an offset beta} */
  boolean center() default true;

  /** {@return whether to learn a scale gamma} */
  boolean scale() default true;

  /**
   * {@return whether the layer trains} False freezes gamma and beta from the start (transfer
   * learning): laid out with the non-trainable parameters, never updated, no gradients computed.
   */
  boolean trainable() default true;
}
