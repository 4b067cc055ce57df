from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "koperasi.loans"
    label = "loans"
    verbose_name = "Pinjaman"

    def ready(self) -> None:
        # An open loan blocks a member's exit until it is paid off (savings.obligations).
        from koperasi.loans.selectors import member_loan_obligations
        from koperasi.savings import obligations

        obligations.register(member_loan_obligations)
