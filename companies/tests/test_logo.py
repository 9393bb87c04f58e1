"""The company logo: a real PNG or JPEG of at most 1 MB, re-encoded by Pillow, shown on Settings ›
Company to members only, replaced and removed by managers."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from companies.models import Company, Role
from companies.services import company_logo_remove, company_logo_set
from companies.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PAGE = "/settings/company"
IMAGE = "/settings/company/logo"
UPLOAD = "/settings/company/logo/upload"
REMOVE = "/settings/company/logo/remove"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def picture(kind: str = "PNG", size: tuple[int, int] = (40, 20), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "#c0392b").save(out, kind)
    return out.getvalue()


def stored(company: Company) -> Company:
    return Company.objects.get(pk=company.pk)


def logged_in(company: Company, role: str = Role.ADMIN) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


@pytest.mark.parametrize(
    ("kind", "magic", "extension"), [("PNG", b"\x89PNG", ".png"), ("JPEG", b"\xff\xd8\xff", ".jpg")]
)
def test_a_png_or_jpeg_is_stored_re_encoded_in_its_own_format(alice, kind, magic, extension):
    company_logo_set(company=alice, file=ContentFile(picture(kind)))

    logo = stored(alice).logo
    assert logo.name.startswith(f"logos/{alice.public_id}-")
    assert logo.name.endswith(extension)
    with logo.open("rb") as file:
        data = file.read()
    assert data.startswith(magic)
    assert Image.open(io.BytesIO(data)).size == (40, 20)


def test_a_large_logo_is_scaled_down_to_fit_the_box(alice):
    company_logo_set(company=alice, file=ContentFile(picture("PNG", size=(3000, 1500))))

    with stored(alice).logo.open("rb") as file:
        assert Image.open(file).size == (1200, 600)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"GIF89a" + b"\x00" * 40, "The file is not a readable PNG or JPEG image."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "The file is not a readable PNG or JPEG image."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "The file is not a readable PNG or JPEG image."),
        (b"\x89PNG" + b"\x00" * (1024 * 1024), "The logo must be at most 1 MB."),
    ],
    ids=["empty", "gif header", "truncated png", "svg", "over 1 MB"],
)
def test_what_is_not_a_small_png_or_jpeg_is_refused_naming_logo(alice, data, message):
    with pytest.raises(ValidationError) as refused:
        company_logo_set(company=alice, file=ContentFile(data))

    assert refused.value.message_dict == {"logo": [message]}
    assert not stored(alice).logo


def test_a_real_gif_is_refused(alice):
    with pytest.raises(ValidationError) as refused:
        company_logo_set(company=alice, file=ContentFile(picture("GIF", mode="P")))

    assert refused.value.message_dict == {"logo": ["The logo must be a PNG or JPEG image."]}


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(alice):
    # A 1-bit PNG of 6000 x 6000 is a few kilobytes on disk, 36 million pixels once decoded.
    with pytest.raises(ValidationError) as refused:
        company_logo_set(company=alice, file=ContentFile(picture("PNG", size=(6000, 6000), mode="1")))

    assert "too many pixels" in refused.value.message_dict["logo"][0]


def test_replacing_and_removing_delete_the_old_file_once_committed(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = company_logo_set(company=alice, file=ContentFile(picture("PNG"))).logo
    storage, first_name = first.storage, first.name
    with django_capture_on_commit_callbacks(execute=True):
        second = company_logo_set(company=alice, file=ContentFile(picture("JPEG"))).logo.name
    assert not storage.exists(first_name)
    assert storage.exists(second)

    with django_capture_on_commit_callbacks(execute=True):
        company_logo_remove(company=alice)

    assert not stored(alice).logo
    assert not storage.exists(second)


def test_a_manager_uploads_the_logo_and_the_company_page_shows_it(alice):
    client = logged_in(alice)

    response = client.post(UPLOAD, {"logo": SimpleUploadedFile("logo.png", picture("PNG"), "image/png")})

    assert response.status_code == 302
    page = client.get(PAGE)
    assert IMAGE.encode() in page.content
    image = client.get(IMAGE)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]


def test_a_refused_upload_shows_the_reason_on_the_company_page(alice):
    response = logged_in(alice).post(UPLOAD, {"logo": SimpleUploadedFile("logo.png", b"not an image", "image/png")})

    assert response.status_code == 200
    assert response.context["logo_form"].errors["logo"] == ["The file is not a readable PNG or JPEG image."]
    assert not stored(alice).logo


def test_a_manager_removes_the_logo(alice):
    company_logo_set(company=alice, file=ContentFile(picture("PNG")))

    response = logged_in(alice, Role.OWNER).post(REMOVE)

    assert response.status_code == 302
    assert not stored(alice).logo
    assert logged_in(alice).get(IMAGE).status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_other_members_see_the_logo_but_cannot_change_it(alice, role):
    company_logo_set(company=alice, file=ContentFile(picture("PNG")))
    name = stored(alice).logo.name
    client = logged_in(alice, role)

    page = client.get(PAGE)

    assert client.get(IMAGE).status_code == 200
    assert b'id="logo-form"' not in page.content
    assert client.post(UPLOAD, {"logo": SimpleUploadedFile("l.png", picture("JPEG"), "image/jpeg")}).status_code == 403
    assert client.post(REMOVE).status_code == 403
    assert stored(alice).logo.name == name


def test_bob_gets_his_own_logo_never_alices(alice, bob):
    company_logo_set(company=alice, file=ContentFile(picture("PNG")))

    assert logged_in(bob).get(IMAGE).status_code == 404


def test_the_logo_forms_need_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=alice, role=Role.OWNER).user)

    response = client.post(UPLOAD, {"logo": SimpleUploadedFile("logo.png", picture("PNG"), "image/png")})

    assert response.status_code == 403
    assert not stored(alice).logo
