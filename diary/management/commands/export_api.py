from django.core.management.base import BaseCommand, CommandError

from config.api.contract import CONTRACT_FILES, stale_diff


class Command(BaseCommand):
    help = (
        "Write the API contract the PWA is generated from: docs/openapi.json (drf-spectacular) and "
        "frontend/src/api/domain.gen.json (unit tables from diary.units). Then run `npm run gen:api` "
        "in frontend/, or `make api` for both. With --check, write nothing and fail with a diff when "
        "a committed file is out of date."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 when a file is stale")

    def handle(self, *args, check: bool = False, **options) -> None:
        stale = []
        for file in CONTRACT_FILES:
            expected = file.render()
            diff = stale_diff(file, expected)
            if not diff:
                self.stdout.write(f"{file.relative_path} is up to date")
                continue
            if check:
                stale.append(file.relative_path)
                self.stdout.write(diff)
                continue
            file.path.parent.mkdir(parents=True, exist_ok=True)
            file.path.write_text(expected, encoding="utf-8")
            self.stdout.write(f"wrote {file.relative_path}")
        if stale:
            raise CommandError(f"out of date: {', '.join(stale)}. Run `make api` and review the diff.")
