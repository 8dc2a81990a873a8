"""Outreach photos: only real JPEG/PNG files under the size limit, re-encoded from pixels.

Re-encoding from the decoded pixels (not copying the file) is what removes EXIF, GPS and any
other metadata or trailing payload: nothing but the image data survives. The camera's
orientation tag is applied to the pixels first, so the photo still stands the right way up.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .constants import PHOTO_FORMATS, PHOTO_MAX_BYTES

MAX_PIXELS = 40_000_000  # a 40-megapixel frame; larger is a decompression bomb, not a phone photo
MAX_SIDE = 2560  # stored photos are scaled down to this: enough to show who was there


@dataclass
class CleanPhoto:
    file: ContentFile
    width: int
    height: int


def photo_clean(upload) -> CleanPhoto:
    """Check type and size, strip all metadata; raises ValidationError in the user's language."""
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片“%(name)s”超过 %(mb)s MB，请压缩后再上传。"),
            params={"name": getattr(upload, "name", ""), "mb": PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    data = upload.read()
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片“%(name)s”超过 %(mb)s MB，请压缩后再上传。"),
            params={"name": getattr(upload, "name", ""), "mb": PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    not_a_photo = ValidationError(
        _("“%(name)s”不是 JPEG 或 PNG 照片。"), params={"name": getattr(upload, "name", "")}, code="photo_type"
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in PHOTO_FORMATS:
                raise not_a_photo
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("照片像素过大。"), code="photo_pixels")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_a_photo from None
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    elif fmt == "PNG" and img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGBA")
    # A new image from the bare pixels: no info dict, no EXIF, no text chunks.
    clean = Image.frombytes(img.mode, img.size, img.tobytes())
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=85, optimize=True)
    else:
        clean.save(out, format="PNG", optimize=True)
    return CleanPhoto(file=ContentFile(out.getvalue(), name="photo" + PHOTO_FORMATS[fmt]), width=clean.width,
                      height=clean.height)
